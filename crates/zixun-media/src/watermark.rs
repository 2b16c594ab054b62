//! An optional watermark: the site's mark (an image, e.g. its logo as a PNG with transparency)
//! put in a corner of every uploaded image, scaled to the image, at a chosen opacity.

use image::{DynamicImage, GenericImageView, RgbaImage, imageops};

use crate::MediaError;

/// Where the mark goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    #[default]
    BottomRight,
}

impl std::str::FromStr for Corner {
    type Err = String;

    fn from_str(s: &str) -> Result<Corner, String> {
        match s {
            "top-left" => Ok(Corner::TopLeft),
            "top-right" => Ok(Corner::TopRight),
            "bottom-left" => Ok(Corner::BottomLeft),
            "bottom-right" => Ok(Corner::BottomRight),
            _ => Err(format!("{s:?} is not a corner (top-left, top-right, bottom-left, bottom-right)")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Watermark {
    mark: RgbaImage,
    corner: Corner,
    /// 0.0 (invisible) to 1.0 (as drawn).
    opacity: f32,
}

/// The mark's width as a share of the image's width, and the margin from the edges.
const SHARE: f32 = 0.2;
const MARGIN_SHARE: f32 = 0.02;
/// Images narrower than this get no mark (icons, avatars).
const MIN_WIDTH: u32 = 200;

impl Watermark {
    /// A mark from an image file's bytes (PNG, JPEG, GIF or WebP).
    pub fn new(bytes: &[u8], corner: Corner, opacity: f32) -> Result<Watermark, MediaError> {
        let mark = image::load_from_memory(bytes).map_err(|e| MediaError::Undecodable(e.to_string()))?.to_rgba8();
        Ok(Watermark { mark, corner, opacity: opacity.clamp(0.0, 1.0) })
    }

    pub(crate) fn apply(&self, img: &mut DynamicImage) {
        let (w, h) = img.dimensions();
        if w < MIN_WIDTH || self.mark.width() == 0 {
            return;
        }
        let target_w = ((w as f32 * SHARE) as u32).clamp(1, self.mark.width());
        let target_h = (self.mark.height() as u64 * target_w as u64 / self.mark.width() as u64).max(1) as u32;
        if target_h >= h {
            return;
        }
        let mut mark = imageops::resize(&self.mark, target_w, target_h, imageops::FilterType::Triangle);
        for p in mark.pixels_mut() {
            p.0[3] = (f32::from(p.0[3]) * self.opacity).round() as u8;
        }
        let margin = ((w as f32 * MARGIN_SHARE) as u32).min(w - target_w).min(h - target_h);
        let x = match self.corner {
            Corner::TopLeft | Corner::BottomLeft => margin,
            Corner::TopRight | Corner::BottomRight => w - target_w - margin,
        };
        let y = match self.corner {
            Corner::TopLeft | Corner::TopRight => margin,
            Corner::BottomLeft | Corner::BottomRight => h - target_h - margin,
        };
        let had_alpha = img.color().has_alpha();
        let mut rgba = img.to_rgba8();
        imageops::overlay(&mut rgba, &mark, i64::from(x), i64::from(y));
        *img = if had_alpha {
            DynamicImage::ImageRgba8(rgba)
        } else {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).to_rgb8())
        };
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{Rgb, RgbImage, Rgba};

    use super::*;

    fn white_mark() -> Vec<u8> {
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(100, 50, Rgba([255, 255, 255, 255])))
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encodes");
        png
    }

    #[test]
    fn the_mark_lands_in_its_corner_at_its_opacity() {
        let mark = Watermark::new(&white_mark(), Corner::BottomRight, 0.5).expect("a mark");
        let mut img = DynamicImage::ImageRgb8(RgbImage::from_pixel(1000, 600, Rgb([0, 0, 0])));
        mark.apply(&mut img);
        let rgb = img.to_rgb8();
        // 200 × 100 at a 20-pixel margin from the bottom right corner: x 780..980, y 480..580.
        let inside = rgb.get_pixel(900, 550).0[0];
        assert!((120..=135).contains(&inside), "half white over black, got {inside}");
        assert_eq!(rgb.get_pixel(100, 100).0, [0, 0, 0], "the rest is untouched");
        assert_eq!(rgb.get_pixel(990, 590).0, [0, 0, 0], "the margin is kept");
        // Small images get none.
        let mut icon = DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([0, 0, 0])));
        mark.apply(&mut icon);
        assert_eq!(icon.to_rgb8().get_pixel(60, 60).0, [0, 0, 0]);
    }

    #[test]
    fn a_mark_that_is_not_an_image_is_an_error() {
        assert!(Watermark::new(b"not an image", Corner::TopLeft, 1.0).is_err());
    }
}
