//! Images for zixun: recognised by their bytes, turned upright by their EXIF orientation,
//! stripped of EXIF and every other metadata (they are encoded anew), optionally watermarked,
//! and resized into variants (320, 640 and 1280 pixels wide, never wider than the original) in
//! WebP and in the original's own format.
//!
//! Every stored file is named for what it holds, so a page can write `srcset`, `width` and
//! `height` from an address alone, with no lookup:
//! - `<hash>-<W>x<H>.<ext>`: the image (its hash is of the uploaded bytes, `W`×`H` its size
//!   once upright);
//! - `<hash>-<W>x<H>-<w>.<ext>`: the variant `w` pixels wide, in `ext` (the original's format
//!   or `webp`).
//!
//! Names of uploads from before variants (`<hash>.<ext>`) still parse, with no size known.
//!
//! Everything here is CPU work: callers run it on a blocking thread.

mod format;
mod name;
mod process;
mod watermark;

pub use format::Format;
pub use name::{ImageName, VARIANT_WIDTHS};
pub use process::{MediaError, Processed, StoredFile, process};
pub use watermark::{Corner, Watermark};
