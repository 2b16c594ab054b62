//! Stored image names: what a name holds is read back from the name itself.

use std::fmt;

use crate::Format;

/// The widths of the resized variants; an image gets those narrower than itself.
pub const VARIANT_WIDTHS: [u32; 3] = [320, 640, 1280];

/// A parsed stored name (see the crate's documentation for the forms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageName {
    /// 32 lowercase hex digits of the uploaded bytes' BLAKE3 hash.
    pub hash: String,
    /// Width and height of the image once upright; `None` for uploads from before variants.
    pub size: Option<(u32, u32)>,
    /// The width of this variant; `None` for the image itself.
    pub variant: Option<u32>,
    pub format: Format,
}

fn is_hash(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A positive decimal number without a leading zero (one spelling per value: one name per file).
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl ImageName {
    /// The name of an image (not a variant) of `size` in `format`.
    pub fn image(hash: &str, size: (u32, u32), format: Format) -> ImageName {
        ImageName { hash: hash.to_owned(), size: Some(size), variant: None, format }
    }

    /// Reads a stored name; `None` for anything that is not one (`../x`, `a.svg`, upper case…).
    pub fn parse(name: &str) -> Option<ImageName> {
        let (stem, ext) = name.split_once('.')?;
        let format = Format::from_ext(ext)?;
        let mut parts = stem.split('-');
        let hash = parts.next().filter(|h| is_hash(h))?.to_owned();
        let size = match parts.next() {
            None => return Some(ImageName { hash, size: None, variant: None, format }),
            Some(dims) => {
                let (w, h) = dims.split_once('x')?;
                (number(w)?, number(h)?)
            }
        };
        let variant = match parts.next() {
            None => None,
            Some(w) => Some(number(w)?),
        };
        if parts.next().is_some() {
            return None;
        }
        let name = ImageName { hash, size: Some(size), variant, format };
        // A variant is one this image has, in a format it is made in.
        if let Some(w) = variant
            && !name.variant_widths().contains(&w)
        {
            return None;
        }
        Some(name)
    }

    /// The widths this image is made in as WebP: the variants narrower than the image, then its
    /// own width. Empty for a GIF (resizing would stop its animation) and an unknown size.
    pub fn variant_widths(&self) -> Vec<u32> {
        match (self.size, self.format) {
            (None, _) | (_, Format::Gif) => Vec::new(),
            (Some((w, _)), _) => VARIANT_WIDTHS.iter().copied().filter(|v| *v < w).chain([w]).collect(),
        }
    }

    /// The variant of this image `width` pixels wide in `format`. The image's own width in its
    /// own format is the image itself.
    pub fn variant(&self, width: u32, format: Format) -> ImageName {
        let own = self.size.is_some_and(|(w, _)| w == width) && format == self.format;
        ImageName { hash: self.hash.clone(), size: self.size, variant: (!own).then_some(width), format }
    }

    /// The height of the variant `width` pixels wide (the aspect ratio kept, at least 1).
    pub fn height_at(&self, width: u32) -> Option<u32> {
        let (w, h) = self.size?;
        Some(((u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w)).max(1) as u32)
    }

    /// `srcset` in `format` under `prefix` (e.g. `/uploads/`): every width this image is made in.
    pub fn srcset(&self, prefix: &str, format: Format) -> String {
        self.variant_widths()
            .iter()
            .map(|w| format!("{prefix}{} {w}w", self.variant(*w, format)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ImageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hash)?;
        if let Some((w, h)) = self.size {
            write!(f, "-{w}x{h}")?;
        }
        if let Some(v) = self.variant {
            write!(f, "-{v}")?;
        }
        write!(f, ".{}", self.format.ext())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn names_round_trip_and_hold_their_size() {
        let img = ImageName::image(H, (1600, 900), Format::Jpeg);
        assert_eq!(img.to_string(), format!("{H}-1600x900.jpg"));
        assert_eq!(ImageName::parse(&img.to_string()), Some(img.clone()));
        assert_eq!(img.variant_widths(), vec![320, 640, 1280, 1600]);
        let v = img.variant(640, Format::Webp);
        assert_eq!(v.to_string(), format!("{H}-1600x900-640.webp"));
        assert_eq!(ImageName::parse(&v.to_string()), Some(v));
        assert_eq!(img.variant(1600, Format::Jpeg), img, "its own width in its own format is itself");
        assert_eq!(img.height_at(640), Some(360));
        assert_eq!(
            img.srcset("/uploads/", Format::Webp),
            format!(
                "/uploads/{H}-1600x900-320.webp 320w, /uploads/{H}-1600x900-640.webp 640w, \
                 /uploads/{H}-1600x900-1280.webp 1280w, /uploads/{H}-1600x900-1600.webp 1600w"
            )
        );
    }

    #[test]
    fn small_images_and_gifs_have_fewer_variants() {
        assert_eq!(ImageName::image(H, (300, 200), Format::Png).variant_widths(), vec![300]);
        assert_eq!(ImageName::image(H, (640, 480), Format::Png).variant_widths(), vec![320, 640]);
        assert!(ImageName::image(H, (2000, 1000), Format::Gif).variant_widths().is_empty());
    }

    #[test]
    fn only_stored_names_parse() {
        let legacy = ImageName::parse(&format!("{H}.png")).expect("an upload from before variants");
        assert_eq!(legacy.size, None);
        assert!(legacy.variant_widths().is_empty());
        for bad in [
            "../../zixun.db".to_string(),
            format!("{H}.svg"),
            format!("{}.png", H.to_uppercase()),
            format!("{H}-0640x480.png"),
            format!("{H}-640x480-500.webp"),
            format!("{H}-640x480-320-1.webp"),
            format!("{H}-640.png"),
            format!("{H}-100x100-320.png"),
        ] {
            assert_eq!(ImageName::parse(&bad), None, "{bad}");
        }
    }
}
