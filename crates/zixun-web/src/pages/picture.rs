//! Images as pages show them. An upload's name holds its size and the widths it was made in
//! (see `zixun_media`), so every `<img>` of an upload gets `srcset` in WebP and in its own
//! format, `sizes`, and `width`/`height` (no layout shift) with no lookup; an image that stays
//! on another site gets `referrerpolicy="no-referrer"` (sinaimg and qpic refuse a foreign
//! referrer); every image but the first of a page loads lazily.

use zixun_media::{Format, ImageName};

use zixun_core::html::{escape, img_tags, tag_attribute};

/// The width an article body's image takes: the whole column on a phone, 736 px beside the
/// sidebar (see `.columns` in the theme's style.css).
pub const BODY_SIZES: &str = "(max-width: 860px) calc(100vw - 32px), 736px";
/// A list item's thumbnail (`.items .thumb`).
pub const THUMB_SIZES: &str = "(max-width: 600px) 112px, 168px";
/// The first 热门资讯 item's picture: the sidebar's width, the column's on a phone.
pub const SIDE_SIZES: &str = "(max-width: 860px) calc(100vw - 32px), 320px";
/// A 相关内容 item's picture: half the article column, the column on a phone.
pub const RELATED_SIZES: &str = "(max-width: 600px) calc(100vw - 32px), 358px";

const UPLOADS: &str = "/uploads/";

/// How an image loads: the first one a reader sees at once, the others when scrolled to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// The page's largest paint: fetched first.
    Lead,
    /// In the first screen.
    Eager,
    Lazy,
}

/// An image by its address (`/uploads/…` or a web address).
pub struct Picture<'a> {
    address: &'a str,
    upload: Option<ImageName>,
    /// The size the body's own tag declares (an outside image's `width`/`height`).
    declared: Option<(u32, u32)>,
}

impl<'a> Picture<'a> {
    pub fn new(address: &'a str) -> Picture<'a> {
        Picture { address, upload: address.strip_prefix(UPLOADS).and_then(ImageName::parse), declared: None }
    }

    /// Width and height, when the address says, else as the body's tag declared them.
    pub fn size(&self) -> Option<(u32, u32)> {
        self.upload.as_ref().and_then(|n| n.size).or(self.declared)
    }

    fn is_remote(&self) -> bool {
        zixun_core::html::is_web_address(self.address)
    }

    /// The markup: `<picture>` with a WebP source for an upload that has variants, else `<img>`.
    /// `alt` is raw text.
    pub fn html(&self, alt: &str, sizes: &str, loading: Loading, class: Option<&str>) -> String {
        let mut img = format!("<img src=\"{}\" alt=\"{}\"", escape(self.address), escape(alt));
        if let Some(c) = class {
            img.push_str(&format!(" class=\"{c}\""));
        }
        let name = self.upload.as_ref().filter(|n| !n.variant_widths().is_empty());
        if let Some(n) = name {
            img.push_str(&format!(" srcset=\"{}\" sizes=\"{sizes}\"", n.srcset(UPLOADS, n.format)));
        }
        if let Some((w, h)) = self.size() {
            img.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        img.push_str(match loading {
            Loading::Lead => " fetchpriority=\"high\"",
            Loading::Eager => "",
            Loading::Lazy => " loading=\"lazy\" decoding=\"async\"",
        });
        if self.is_remote() {
            img.push_str(" referrerpolicy=\"no-referrer\"");
        }
        img.push('>');
        match name {
            Some(n) if n.format != Format::Webp => format!(
                "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\">{img}</picture>",
                n.srcset(UPLOADS, Format::Webp)
            ),
            _ => img,
        }
    }
}

/// A sanitized article body with its images made responsive (see the module's documentation).
/// `lead_taken`: an image above the body (the cover) is already the page's lead.
pub fn responsive_body(html: &str, lead_taken: bool) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut written = 0;
    let mut loading = if lead_taken { Loading::Lazy } else { Loading::Lead };
    for (at, tag) in img_tags(html) {
        let Some(src) = tag_attribute(tag, "src") else { continue };
        let size = |attr| tag_attribute(tag, attr).and_then(|v| v.parse::<u32>().ok()).filter(|v| *v > 0);
        let picture = Picture { declared: size("width").zip(size("height")), ..Picture::new(&src) };
        if !(picture.size().is_some() || picture.is_remote() || src.starts_with(UPLOADS)) {
            loading = Loading::Lazy;
            continue;
        }
        out.push_str(&html[written..at.start]);
        let alt = tag_attribute(tag, "alt").unwrap_or_default();
        out.push_str(&picture.html(&alt, BODY_SIZES, loading, None));
        written = at.end;
        loading = Loading::Lazy;
    }
    out.push_str(&html[written..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn an_upload_gets_webp_srcset_size_and_lazy_loading() {
        let html = format!(
            r#"<p>文</p><img src="/uploads/{H}-1600x900.jpg" alt="图 &amp; 说"><p>二</p><img src="/uploads/{H}-400x300.png" alt="">"#
        );
        let out = responsive_body(&html, false);
        assert!(out.contains(&format!(
            "<picture><source type=\"image/webp\" srcset=\"/uploads/{H}-1600x900-320.webp 320w, /uploads/{H}-1600x900-640.webp 640w, /uploads/{H}-1600x900-1280.webp 1280w, /uploads/{H}-1600x900-1600.webp 1600w\" sizes=\"{BODY_SIZES}\">"
        )), "{out}");
        assert!(out.contains(&format!(
            "<img src=\"/uploads/{H}-1600x900.jpg\" alt=\"图 &amp; 说\" srcset=\"/uploads/{H}-1600x900-320.jpg 320w, /uploads/{H}-1600x900-640.jpg 640w, /uploads/{H}-1600x900-1280.jpg 1280w, /uploads/{H}-1600x900.jpg 1600w\" sizes=\"{BODY_SIZES}\" width=\"1600\" height=\"900\" fetchpriority=\"high\">"
        )), "{out}");
        assert!(out.contains("width=\"400\" height=\"300\" loading=\"lazy\""), "the second loads lazily: {out}");
        assert!(out.starts_with("<p>文</p>") && out.contains("<p>二</p>"));
    }

    #[test]
    fn remote_images_send_no_referrer_and_others_stay() {
        let out = responsive_body(r#"<img src="https://wx1.sinaimg.cn/a.jpg?x=1&amp;y=2" alt="新浪">"#, true);
        assert_eq!(
            out,
            "<img src=\"https://wx1.sinaimg.cn/a.jpg?x=1&amp;y=2\" alt=\"新浪\" loading=\"lazy\" decoding=\"async\" referrerpolicy=\"no-referrer\">"
        );
        let sized = responsive_body(r#"<img src="https://mmbiz.qpic.cn/b.png" alt="" width="640" height="360">"#, true);
        assert!(sized.contains(r#"width="640" height="360""#), "a declared size is kept: {sized}");
        let legacy = format!(r#"<img src="/uploads/{H}.png" alt="">"#);
        assert_eq!(
            responsive_body(&legacy, true),
            format!(r#"<img src="/uploads/{H}.png" alt="" loading="lazy" decoding="async">"#)
        );
        let relative = r#"<img src="/a/1.png" alt="x">"#;
        assert_eq!(responsive_body(relative, true), relative, "not ours to change");
        assert_eq!(responsive_body("<p>无图</p>", false), "<p>无图</p>");
    }
}
