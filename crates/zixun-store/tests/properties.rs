//! Properties that are the specification, checked on generated input (proptest).

use proptest::prelude::*;
use zixun_store::Cursor;

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// A list's `next_cursor` brings back exactly the position it was made from.
    #[test]
    fn cursors_round_trip(published_at in any::<i64>(), id in any::<i64>()) {
        let c = Cursor { published_at, id };
        prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    /// Whatever a client sends as a cursor is a position or nothing, never a panic.
    #[test]
    fn any_text_decodes_or_is_refused(s in "\\PC{0,40}") {
        if let Some(c) = Cursor::decode(&s) {
            prop_assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
    }
}
