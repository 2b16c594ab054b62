//! Editor-placed slots (推荐位): what the store keeps of them.

use async_trait::async_trait;
use zixun_core::slot::{NewSlotItem, SlotItem};

use crate::Result;

#[async_trait]
pub trait SlotStore: Send + Sync {
    /// Every item of every slot, by slot, category and position (a small table: pages and the
    /// admin read it whole and choose what is live themselves).
    async fn slot_items(&self) -> Result<Vec<SlotItem>>;
    /// Places an item at the top of its slot.
    async fn add_slot_item(&self, item: &NewSlotItem, now: i64) -> Result<SlotItem>;
    /// Moves the item one place up (or down) in its slot, in one transaction (the slot's
    /// positions are numbered anew). False if there is no such item or it is already at that end.
    async fn move_slot_item(&self, id: i64, up: bool) -> Result<bool>;
    /// Takes the item out of its slot; `None` if there was no such item.
    async fn remove_slot_item(&self, id: i64) -> Result<Option<SlotItem>>;
}

/// The slot's ids in their new order once `id` moved one place, or `None` if it cannot move.
pub(crate) fn moved(ordered: &[i64], id: i64, up: bool) -> Option<Vec<i64>> {
    let at = ordered.iter().position(|&i| i == id)?;
    let other = if up { at.checked_sub(1)? } else { Some(at + 1).filter(|&o| o < ordered.len())? };
    let mut order = ordered.to_vec();
    order.swap(at, other);
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::moved;

    #[test]
    fn an_item_moves_one_place_and_not_past_the_ends() {
        assert_eq!(moved(&[1, 2, 3], 2, true), Some(vec![2, 1, 3]));
        assert_eq!(moved(&[1, 2, 3], 2, false), Some(vec![1, 3, 2]));
        assert_eq!(moved(&[1, 2, 3], 1, true), None);
        assert_eq!(moved(&[1, 2, 3], 3, false), None);
        assert_eq!(moved(&[1, 2, 3], 9, true), None);
    }
}
