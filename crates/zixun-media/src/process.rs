//! From uploaded bytes to the files stored: the image upright and without metadata, and its
//! variants.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, imageops::FilterType};

use crate::{Format, ImageName, Watermark};

/// Why bytes were not taken as an image (each says what, in words an uploader reads).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("只接受 PNG、JPEG、GIF 或 WebP 图片")]
    NotAnImage,
    #[error("图片过大：不能超过 {max_bytes} 字节")]
    TooLarge { max_bytes: usize },
    #[error("图片尺寸过大：每边不能超过 {max_side} 像素，总共不能超过 {max_megapixels} 百万像素")]
    TooManyPixels { max_side: u32, max_megapixels: u32 },
    #[error("图片无法解码：{0}")]
    Undecodable(String),
    #[error("图片无法编码：{0}")]
    Encoding(String),
}

/// One file to store.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: ImageName,
    pub bytes: Vec<u8>,
}

/// What an upload becomes: the image and its variants.
#[derive(Debug, Clone)]
pub struct Processed {
    pub image: StoredFile,
    pub variants: Vec<StoredFile>,
}

impl Processed {
    /// Every file, in the order to store them: the variants first and the image last, so that
    /// an address a page can know is never missing its variants.
    pub fn in_store_order(&self) -> impl Iterator<Item = &StoredFile> {
        self.variants.iter().chain([&self.image])
    }
}

/// The longest side and the most pixels accepted (a decompression bomb — a small file that
/// claims a huge image — is refused from its header, before anything is decoded): 40 Mpx is
/// more than any phone camera makes.
const MAX_SIDE: u32 = 12_000;
const MAX_PIXELS: u64 = 40_000_000;
/// The most bytes one decoded image may take (40 Mpx of 8-bit RGBA; 16-bit images are fewer
/// pixels).
const MAX_DECODED_BYTES: u64 = 160 << 20;
/// Images processed at once, whatever asks (uploads, feeds, imports): each holds a few copies
/// of a decoded image.
const AT_ONCE: usize = 2;
const JPEG_QUALITY: u8 = 85;
const WEBP_QUALITY: f32 = 78.0;

/// Checks `bytes` by their content, turns the image upright, strips its metadata, applies the
/// watermark if any, and makes its variants. The name's hash is of the uploaded bytes (the same
/// upload twice is the same name).
pub fn process(bytes: &[u8], max_bytes: usize, watermark: Option<&Watermark>) -> Result<Processed, MediaError> {
    if bytes.len() > max_bytes {
        return Err(MediaError::TooLarge { max_bytes });
    }
    let format = Format::sniff(bytes).ok_or(MediaError::NotAnImage)?;
    let hash = blake3::hash(bytes).to_hex()[..32].to_owned();
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let too_many = MediaError::TooManyPixels { max_side: MAX_SIDE, max_megapixels: (MAX_PIXELS / 1_000_000) as u32 };
    let undecodable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => too_many.clone(),
        e => MediaError::Undecodable(e.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(too_many);
    }
    if format == Format::Gif {
        // Kept as uploaded: decoding keeps one frame, and an animation is the point of a GIF.
        // GIF carries no EXIF.
        let name = ImageName::image(&hash, (w, h), format);
        return Ok(Processed { image: StoredFile { name, bytes: bytes.to_vec() }, variants: Vec::new() });
    }
    let _turn = Gate::enter();
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    img.apply_orientation(orientation);
    if let Some(mark) = watermark {
        mark.apply(&mut img);
    }
    let name = ImageName::image(&hash, (img.width(), img.height()), format);
    let mut variants = Vec::new();
    for width in name.variant_widths() {
        let resized = if width == img.width() {
            img.clone()
        } else {
            let height = name.height_at(width).unwrap_or(1);
            img.resize_exact(width, height, FilterType::CatmullRom)
        };
        // A WebP image's own format is WebP, and its own width in it is the image itself.
        if width != img.width() && format != Format::Webp {
            variants.push(StoredFile { name: name.variant(width, format), bytes: encode(&resized, format)? });
        }
        if name.variant(width, Format::Webp) != name {
            variants
                .push(StoredFile { name: name.variant(width, Format::Webp), bytes: encode(&resized, Format::Webp)? });
        }
    }
    let image = StoredFile { bytes: encode(&img, format)?, name };
    Ok(Processed { image, variants })
}

/// A turn at processing: at most [`AT_ONCE`] images are decoded at a time in this process.
struct Gate;

static TURNS: (std::sync::Mutex<usize>, std::sync::Condvar) = (std::sync::Mutex::new(0), std::sync::Condvar::new());

impl Gate {
    fn enter() -> Gate {
        let (busy, freed) = &TURNS;
        let mut n = busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *n >= AT_ONCE {
            n = freed.wait(n).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *n += 1;
        Gate
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let (busy, freed) = &TURNS;
        *busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner) -= 1;
        freed.notify_one();
    }
}

/// Encodes anew (which leaves EXIF, XMP and comments behind).
fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, MediaError> {
    let encoding = |e: &dyn std::fmt::Display| MediaError::Encoding(e.to_string());
    let mut out = Vec::new();
    match format {
        Format::Webp => {
            // Lossy WebP from libwebp (the `image` crate writes only lossless WebP, several
            // times larger for photographs).
            let rgba;
            let encoder = if img.color().has_alpha() {
                rgba = DynamicImage::ImageRgba8(img.to_rgba8());
                webp::Encoder::from_image(&rgba)
            } else {
                rgba = DynamicImage::ImageRgb8(img.to_rgb8());
                webp::Encoder::from_image(&rgba)
            }
            .map_err(|e| encoding(&e))?;
            let webp = encoder.encode_simple(false, WEBP_QUALITY).map_err(|e| encoding(&format!("{e:?}")))?;
            out.extend_from_slice(&webp);
        }
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(|e| encoding(&e))?;
        }
        Format::Png | Format::Gif => {
            img.write_to(&mut Cursor::new(&mut out), format.image_format()).map_err(|e| encoding(&e))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use image::{ImageEncoder, Rgb, RgbImage};

    use super::*;

    fn photo(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128]))
    }

    /// A PNG that is only a header claiming `w`×`h` pixels, and an empty image data chunk (the
    /// decoder reads up to the first).
    fn png_header(w: u32, h: u32, bit_depth: u8, colour_type: u8) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&w.to_be_bytes());
        png.extend_from_slice(&h.to_be_bytes());
        png.extend_from_slice(&[bit_depth, colour_type, 0, 0, 0]);
        let crc = crc32fast::hash(&png[12..]);
        png.extend_from_slice(&crc.to_be_bytes());
        png.extend_from_slice(b"\0\0\0\0IDAT");
        png.extend_from_slice(&crc32fast::hash(b"IDAT").to_be_bytes());
        png
    }

    fn encoded(img: RgbImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), format).expect("encodes");
        out
    }

    fn jpeg(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
            .expect("encodes");
        out
    }

    /// A JPEG with an APP1 EXIF segment saying "rotate 90° clockwise" (orientation 6) and a
    /// camera make, spliced in after SOI.
    fn jpeg_with_exif(img: &RgbImage) -> Vec<u8> {
        let plain = jpeg(img);
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 2]); // two entries
        tiff.extend_from_slice(&[0x01, 0x0f, 0, 2, 0, 0, 0, 4]); // Make, ASCII, 4 bytes
        tiff.extend_from_slice(b"ZX!\0");
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_photo_becomes_upright_variants_without_exif() {
        let bytes = jpeg_with_exif(&photo(1600, 1000));
        assert!(bytes.windows(3).any(|w| w == b"ZX!"), "the fixture carries EXIF");
        let p = process(&bytes, 10 << 20, None).expect("processed");
        // Orientation 6: the stored image is 1000 wide, 1600 high.
        assert_eq!(p.image.name.size, Some((1000, 1600)));
        assert_eq!(p.image.name.format, Format::Jpeg);
        let dims = |b: &[u8]| image::load_from_memory(b).map(|i| (i.width(), i.height())).expect("decodes");
        assert_eq!(dims(&p.image.bytes), (1000, 1600));
        let mut made: Vec<(String, (u32, u32))> = Vec::new();
        for f in p.in_store_order() {
            assert!(!f.bytes.windows(3).any(|w| w == b"ZX!"), "{} keeps EXIF", f.name);
            assert!(!f.bytes.windows(6).any(|w| w == b"Exif\0\0"), "{} keeps an EXIF segment", f.name);
            assert_eq!(Format::sniff(&f.bytes), Some(f.name.format), "{} is what its name says", f.name);
            made.push((f.name.to_string(), dims(&f.bytes)));
        }
        let h = &p.image.name.hash;
        let expect = |suffix: &str, d: (u32, u32)| (format!("{h}-1000x1600{suffix}"), d);
        assert_eq!(
            made,
            vec![
                expect("-320.jpg", (320, 512)),
                expect("-320.webp", (320, 512)),
                expect("-640.jpg", (640, 1024)),
                expect("-640.webp", (640, 1024)),
                expect("-1000.webp", (1000, 1600)),
                expect(".jpg", (1000, 1600)),
            ]
        );
        // The same upload again is the same name.
        assert_eq!(process(&bytes, 10 << 20, None).expect("again").image.name, p.image.name);
    }

    #[test]
    fn webp_variants_are_smaller_than_the_jpeg_ones() {
        let p = process(&jpeg(&photo(1280, 720)), 10 << 20, None).expect("processed");
        let size = |suffix: &str| {
            p.variants.iter().find(|f| f.name.to_string().ends_with(suffix)).map(|f| f.bytes.len()).expect(suffix)
        };
        assert!(size("-640.webp") < size("-640.jpg"), "{} vs {}", size("-640.webp"), size("-640.jpg"));
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        assert_eq!(process(b"<svg onload=alert(1)>", 1 << 20, None).err(), Some(MediaError::NotAnImage));
        assert_eq!(process(&[0u8; 100], 10, None).err(), Some(MediaError::TooLarge { max_bytes: 10 }));
        // A PNG signature and then nothing that decodes.
        assert!(matches!(process(b"\x89PNG\r\n\x1a\nnot really", 1 << 20, None), Err(MediaError::Undecodable(_))));
        // A header claiming 60,000 × 60,000 pixels is refused before any allocation.
        let too_many = Some(MediaError::TooManyPixels { max_side: MAX_SIDE, max_megapixels: 40 });
        assert_eq!(process(&png_header(60_000, 60_000, 8, 2), 1 << 20, None).err(), too_many);
        // Within each side's limit but 144 Mpx of 16-bit RGBA (over a gigabyte decoded).
        let wide = png_header(12_000, 12_000, 16, 6);
        assert_eq!(process(&wide, 1 << 20, None).err(), too_many);
    }

    #[test]
    fn a_webp_upload_is_encoded_once_per_width() {
        let p = process(&encoded(photo(800, 450), image::ImageFormat::WebP), 10 << 20, None).expect("processed");
        let names: Vec<String> = p.variants.iter().map(|f| f.name.to_string()).collect();
        let h = &p.image.name.hash;
        assert_eq!(names, vec![format!("{h}-800x450-320.webp"), format!("{h}-800x450-640.webp")]);
        assert_eq!(p.image.name.to_string(), format!("{h}-800x450.webp"));
    }

    #[test]
    fn a_gif_is_kept_as_uploaded() {
        let gif = encoded(photo(400, 300), image::ImageFormat::Gif);
        let p = process(&gif, 10 << 20, None).expect("processed");
        assert_eq!(p.image.bytes, gif);
        assert_eq!(p.image.name.size, Some((400, 300)));
        assert!(p.variants.is_empty());
    }
}
