//! The time to make an image's variants (`bench/image_bench.sh` runs it in a release build).
//!
//! For photo-like JPEGs of three sizes (a gradient with fine noise, which JPEG and WebP find
//! as hard as a photograph), it times `zixun_media::process` (decode, orient, encode the image
//! anew, resize and encode every variant in WebP and JPEG) against a floor measured in the same
//! run: one decode and one JPEG encode of the same image, what any re-encoding upload costs.
//! It prints the median of `ROUNDS` runs of each, their ratio, and the bytes stored.

use std::{io::Cursor, time::Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

const ROUNDS: usize = 5;

fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 24) as u32;
        Rgb([((x * 200 / w) + n) as u8, ((y * 180 / h) + n) as u8, (((x + y) * 120 / (w + h)) + 60 + n) as u8])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).expect("encodes");
    out
}

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[ROUNDS / 2]
}

fn main() {
    println!(
        "| image | upload | variants | process (ms) | floor: decode + one JPEG encode (ms) | ratio | bytes stored |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (w, h) in [(1280, 720), (3000, 2000), (4000, 3000)] {
        let bytes = photo(w, h);
        let mut stored = 0;
        let mut files = 0;
        let process = median_ms(|| {
            let p = zixun_media::process(&bytes, usize::MAX, None).expect("processed");
            files = p.variants.len();
            stored = p.variants.iter().map(|f| f.bytes.len()).sum::<usize>() + p.image.bytes.len();
        });
        let floor = median_ms(|| {
            let img = image::load_from_memory(&bytes).expect("decodes");
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).expect("encodes");
        });
        println!(
            "| {w}×{h} JPEG | {} KB | {files} | {process:.0} | {floor:.0} | {:.1} | {} KB |",
            bytes.len() / 1024,
            process / floor,
            stored / 1024
        );
    }
}
