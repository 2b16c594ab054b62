//! Cover pictures for the demo, drawn here (no outside photographs): a flat illustration per
//! category — a running track, a chip, a rising chart, a cross, a car on a road, books, a
//! stage — in colours that vary with each article, 1280×720.

use image::{Rgb, RgbImage};

pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;

type Colour = [u8; 3];

/// A small deterministic generator (the same article gets the same picture every time).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
}

fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8)
}

fn shade(c: Colour, by: f32) -> Colour {
    if by >= 0.0 { mix(c, [255, 255, 255], by) } else { mix(c, [0, 0, 0], -by) }
}

struct Canvas(RgbImage);

impl Canvas {
    fn gradient(top: Colour, bottom: Colour) -> Canvas {
        Canvas(RgbImage::from_fn(WIDTH, HEIGHT, |_, y| Rgb(mix(top, bottom, y as f32 / HEIGHT as f32))))
    }

    fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, c: Colour) {
        for yy in y.max(0)..(y + h).min(HEIGHT as i32) {
            for xx in x.max(0)..(x + w).min(WIDTH as i32) {
                self.0.put_pixel(xx as u32, yy as u32, Rgb(c));
            }
        }
    }

    /// A filled circle with a one-pixel soft edge.
    fn circle(&mut self, cx: i32, cy: i32, r: i32, c: Colour) {
        for yy in (cy - r - 1).max(0)..(cy + r + 2).min(HEIGHT as i32) {
            for xx in (cx - r - 1).max(0)..(cx + r + 2).min(WIDTH as i32) {
                let d = (((xx - cx).pow(2) + (yy - cy).pow(2)) as f32).sqrt();
                let cover = (r as f32 + 0.5 - d).clamp(0.0, 1.0);
                if cover > 0.0 {
                    let under = self.0.get_pixel(xx as u32, yy as u32).0;
                    self.0.put_pixel(xx as u32, yy as u32, Rgb(mix(under, c, cover)));
                }
            }
        }
    }

    /// Everything below the line from (0, y0) to (WIDTH, y1) in `c` (hills, roads).
    fn below_line(&mut self, y0: i32, y1: i32, c: Colour) {
        for x in 0..WIDTH as i32 {
            let y = y0 + (y1 - y0) * x / WIDTH as i32;
            self.rect(x, y, 1, HEIGHT as i32 - y, c);
        }
    }

    /// A band `w` wide along the line from `a` to `b`.
    fn line(&mut self, a: (i32, i32), b: (i32, i32), w: i32, c: Colour) {
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).max(1);
        for i in 0..=steps {
            let x = a.0 + (b.0 - a.0) * i / steps;
            let y = a.1 + (b.1 - a.1) * i / steps;
            self.rect(x - w / 2, y - w / 2, w, w, c);
        }
    }
}

/// A 1280×720 illustration for an article of `category`, varied by `seed`.
pub fn cover(category: Option<&str>, seed: u64) -> RgbImage {
    let mut d = Dice(seed);
    let hue = d.below(60) as f32 / 100.0;
    let mut c = match category {
        Some("体育") => sport(&mut d, hue),
        Some("科技") => tech(&mut d, hue),
        Some("财经") => finance(&mut d, hue),
        Some("健康") => health(&mut d, hue),
        Some("汽车") => cars(&mut d, hue),
        Some("教育") => education(&mut d, hue),
        _ => stage(&mut d, hue),
    };
    // A few soft dots of light, so no two pictures are alike.
    for _ in 0..6 {
        let (x, y, r) = (d.below(WIDTH) as i32, d.below(HEIGHT / 2) as i32, 6 + d.below(18) as i32);
        let under = c.0.get_pixel(x as u32, y as u32).0;
        c.circle(x, y, r, shade(under, 0.25));
    }
    c.0
}

fn sport(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([90, 160, 230], [120, 190, 240], hue), [200, 230, 250]);
    c.circle(1050, 140, 70, [255, 214, 90]);
    c.below_line(430, 400, mix([60, 150, 80], [90, 170, 70], hue));
    // A red running track with white lanes, seen from the side.
    c.rect(0, 520, WIDTH as i32, 200, [196, 78, 60]);
    for lane in 0..4 {
        c.rect(0, 540 + lane * 45, WIDTH as i32, 4, [245, 245, 240]);
    }
    // Runners: a head and a leaning body each.
    for i in 0..5 {
        let x = 180 + i * 210 + d.below(40) as i32;
        let y = 470 + d.below(30) as i32;
        let shirt = mix([240, 120, 40], [40, 120, 240], d.below(100) as f32 / 100.0);
        c.line((x, y), (x + 25, y - 80), 22, shirt);
        c.line((x, y), (x - 30, y + 50), 10, [50, 50, 60]);
        c.line((x, y), (x + 30, y + 50), 10, [50, 50, 60]);
        c.circle(x + 32, y - 105, 18, [240, 200, 170]);
    }
    c
}

fn tech(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([10, 20, 60], [30, 10, 70], hue), [20, 60, 110]);
    for i in 0..16 {
        c.rect(i * 80, 0, 1, HEIGHT as i32, [40, 80, 140]);
        c.rect(0, i * 80, WIDTH as i32, 1, [40, 80, 140]);
    }
    // The chip and its pins.
    let (x, y, s) = (440, 160, 400);
    for p in 0..8 {
        let at = 40 + p * 46;
        c.rect(x + at, y - 40, 16, 40, [200, 200, 210]);
        c.rect(x + at, y + s, 16, 40, [200, 200, 210]);
        c.rect(x - 40, y + at, 40, 16, [200, 200, 210]);
        c.rect(x + s, y + at, 40, 16, [200, 200, 210]);
    }
    c.rect(x, y, s, s, [35, 40, 55]);
    c.rect(x + 60, y + 60, s - 120, s - 120, mix([0, 180, 220], [120, 90, 255], hue));
    // Traces leading away.
    for _ in 0..10 {
        let (sx, sy) = (x + 60 + d.below(280) as i32, y + 60 + d.below(280) as i32);
        let to = (d.below(WIDTH) as i32, if d.below(2) == 0 { 20 } else { HEIGHT as i32 - 20 });
        c.line((sx, sy), (sx, to.1), 3, [0, 200, 230]);
        c.circle(sx, to.1, 8, [0, 230, 255]);
    }
    c
}

fn finance(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient([250, 246, 236], mix([240, 226, 200], [230, 236, 214], hue));
    for i in 1..6 {
        c.rect(80, 120 * i, WIDTH as i32 - 160, 2, [220, 210, 190]);
    }
    let mut top = 560;
    let mut points = Vec::new();
    for i in 0..9 {
        top -= 20 + d.below(50) as i32;
        let x = 120 + i * 120;
        let red = mix([214, 48, 49], [230, 100, 40], hue);
        c.rect(x, top.max(60), 70, 660 - top.max(60), if i % 3 == 2 { [40, 160, 90] } else { red });
        points.push((x + 35, top.max(60) - 30));
    }
    for w in points.windows(2) {
        c.line(w[0], w[1], 6, [40, 60, 110]);
    }
    for p in points {
        c.circle(p.0, p.1, 9, [40, 60, 110]);
    }
    c
}

fn health(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([220, 245, 240], [225, 240, 250], hue), [190, 230, 225]);
    c.circle(640, 360, 250, [255, 255, 255]);
    let red = [220, 60, 70];
    c.rect(640 - 55, 360 - 170, 110, 340, red);
    c.rect(640 - 170, 360 - 55, 340, 110, red);
    for _ in 0..8 {
        let (x, y) = (d.below(WIDTH) as i32, d.below(HEIGHT) as i32);
        c.circle(x, y, 20 + d.below(30) as i32, [150, 210, 200]);
    }
    c
}

fn cars(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([250, 170, 120], [180, 200, 240], hue), [250, 225, 200]);
    c.below_line(380, 420, [120, 140, 150]);
    c.rect(0, 470, WIDTH as i32, 250, [70, 72, 80]);
    for i in 0..8 {
        c.rect(i * 180 + 20, 590, 100, 10, [240, 220, 120]);
    }
    let body = mix([0, 150, 200], [230, 60, 60], d.below(100) as f32 / 100.0);
    let (x, y) = (360 + d.below(200) as i32, 420);
    c.rect(x, y, 520, 110, body);
    c.rect(x + 110, y - 80, 280, 90, shade(body, -0.15));
    c.rect(x + 135, y - 62, 110, 60, [200, 230, 250]);
    c.rect(x + 260, y - 62, 110, 60, [200, 230, 250]);
    for wx in [x + 110, x + 410] {
        c.circle(wx, y + 115, 52, [30, 30, 35]);
        c.circle(wx, y + 115, 22, [180, 180, 190]);
    }
    c.rect(x + 490, y + 20, 30, 22, [255, 240, 170]);
    c
}

fn education(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([255, 244, 214], [236, 244, 255], hue), [244, 232, 210]);
    c.rect(0, 560, WIDTH as i32, 160, [160, 110, 70]);
    // A row of books of several heights and colours.
    let mut x = 180;
    while x < 1100 {
        let w = 50 + d.below(40) as i32;
        let h = 220 + d.below(160) as i32;
        let col = [d.below(200) as u8 + 40, d.below(160) as u8 + 60, d.below(200) as u8 + 40];
        c.rect(x, 560 - h, w, h, col);
        c.rect(x + 8, 560 - h + 30, w - 16, 10, shade(col, 0.5));
        x += w + 6;
    }
    // A graduation cap.
    c.rect(900, 150, 220, 30, [40, 40, 50]);
    c.rect(950, 180, 120, 60, [40, 40, 50]);
    c.line((1110, 165), (1130, 260), 5, [230, 180, 40]);
    c
}

fn stage(d: &mut Dice, hue: f32) -> Canvas {
    let mut c = Canvas::gradient(mix([40, 10, 50], [10, 20, 60], hue), [90, 20, 40]);
    // Spotlights from above.
    for i in 0..3 {
        let x = 280 + i * 360;
        for k in 0..40 {
            let spread = k * 6;
            c.rect(x - spread / 2, 20 + k * 14, spread.max(4), 14, mix([90, 40, 90], [250, 220, 150], 0.3 + hue / 2.0));
        }
        c.circle(x, 20, 26, [255, 240, 200]);
    }
    // Curtains and a film strip.
    c.rect(0, 0, 120, HEIGHT as i32, [160, 20, 40]);
    c.rect(WIDTH as i32 - 120, 0, 120, HEIGHT as i32, [160, 20, 40]);
    c.rect(160, 600, 960, 90, [20, 20, 25]);
    for i in 0..16 {
        c.rect(180 + i * 60, 610, 30, 14, [230, 230, 230]);
        c.rect(180 + i * 60, 666, 30, 14, [230, 230, 230]);
    }
    for _ in 0..4 {
        let x = 200 + d.below(880) as i32;
        c.circle(x, 560, 30, [30, 20, 30]);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_category_gets_its_own_picture_and_an_article_always_the_same() {
        let categories = ["体育", "科技", "财经", "健康", "汽车", "教育", "娱乐"];
        let pictures: Vec<RgbImage> = categories.iter().map(|c| cover(Some(c), 7)).collect();
        for p in &pictures {
            assert_eq!(p.dimensions(), (WIDTH, HEIGHT));
            let colours: std::collections::HashSet<[u8; 3]> = p.pixels().map(|p| p.0).collect();
            assert!(colours.len() > 50, "a drawing, not a flat colour: {} colours", colours.len());
        }
        for (i, a) in pictures.iter().enumerate() {
            for b in &pictures[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(cover(Some("体育"), 1), cover(Some("体育"), 1));
        assert_ne!(cover(Some("体育"), 1), cover(Some("体育"), 2));
    }
}
