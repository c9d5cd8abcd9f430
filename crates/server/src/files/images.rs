//! Decoding with limits (decompression bombs are refused before any pixel buffer is allocated),
//! thumbnails, avatar variants and the generated initials avatar. Everything here is CPU work:
//! call it on a blocking thread.

use std::io::{BufRead, Cursor, Seek};

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::error::AppError;

/// Largest accepted width or height, and pixel count.
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 50_000_000;
/// Memory a decoder may take for one image.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
pub const THUMBNAIL_SIDE: u32 = 320;
pub const AVATAR_SIZES: [u32; 2] = [256, 64];

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn too_large(w: u32, h: u32) -> AppError {
    AppError::field(
        "file",
        format!(
            "image is too large to process: {w}×{h} pixels (at most {MAX_SIDE} per side and {} megapixels)",
            MAX_PIXELS / 1_000_000
        ),
    )
}

fn invalid(e: ImageError) -> AppError {
    match e {
        ImageError::Limits(_) => AppError::field("file", "image is too large to process"),
        other => AppError::field("file", format!("not a valid image: {other}")),
    }
}

/// Decodes an image of a known format, checking the declared dimensions first.
pub fn decode<R: BufRead + Seek>(
    mut open: impl FnMut() -> std::io::Result<R>,
    format: ImageFormat,
) -> Result<DynamicImage, AppError> {
    let mut probe = ImageReader::with_format(open().map_err(anyhow::Error::from)?, format);
    probe.limits(Limits::no_limits());
    let (w, h) = probe.into_dimensions().map_err(invalid)?;
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_large(w, h));
    }
    let mut reader = ImageReader::with_format(open().map_err(anyhow::Error::from)?, format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(invalid)?;
    // Re-encoding drops EXIF, so apply its rotation now or phone photos end up sideways.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(invalid)?;
    img.apply_orientation(orientation);
    Ok(img)
}

pub fn decode_bytes(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, AppError> {
    decode(|| Ok(Cursor::new(bytes)), format)
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, AppError> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
            img.to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|e| anyhow::anyhow!("encoding a thumbnail: {e}"))?;
        }
        _ => img
            .write_to(&mut out, format)
            .map_err(|e| anyhow::anyhow!("encoding an image: {e}"))?,
    }
    Ok(out.into_inner())
}

/// A preview at most 320 px on its longer side: JPEG, or PNG when the image has transparency.
pub fn thumbnail(img: &DynamicImage) -> Result<Vec<u8>, AppError> {
    let small = if img.width() > THUMBNAIL_SIDE || img.height() > THUMBNAIL_SIDE {
        img.resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, FilterType::Triangle)
    } else {
        img.clone()
    };
    if small.color().has_alpha() {
        encode(&small, ImageFormat::Png)
    } else {
        encode(&small, ImageFormat::Jpeg)
    }
}

/// Square PNG avatars at each of `AVATAR_SIZES`, centre-cropped. Re-encoding keeps only the
/// pixels, so EXIF and other metadata are gone.
pub fn avatar_variants(img: &DynamicImage) -> Result<Vec<(u32, Vec<u8>)>, AppError> {
    let mut out = Vec::new();
    let mut source = img.clone();
    for size in AVATAR_SIZES {
        source = source.resize_to_fill(size, size, FilterType::Lanczos3);
        out.push((
            size,
            encode(
                &DynamicImage::ImageRgba8(source.to_rgba8()),
                ImageFormat::Png,
            )?,
        ));
    }
    Ok(out)
}

/// Up to two initials: the first letters of the first and last words.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut out = String::new();
    for w in [words.first(), words.get(1).and(words.last())]
        .into_iter()
        .flatten()
    {
        if let Some(c) = w.chars().next() {
            out.extend(c.to_uppercase());
        }
    }
    if out.is_empty() { "?".into() } else { out }
}

/// The avatar of a user who has not uploaded one: initials on a colour derived from the id.
pub fn initials_svg(user_id: i64, name: &str, size: u32) -> String {
    // Golden-angle steps spread neighbouring ids across the colour wheel.
    let hue = (user_id.rem_euclid(360) * 137) % 360;
    let text: String = initials(name)
        .chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 100 100">"#,
            r#"<rect width="100" height="100" fill="hsl({h},55%,45%)"/>"#,
            r##"<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="40" font-weight="600" fill="#ffffff">{t}</text>"##,
            "</svg>"
        ),
        s = size,
        h = hue,
        t = text
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ana Lima"), "AL");
        assert_eq!(initials("ana maria lima"), "AL");
        assert_eq!(initials("Zoë"), "Z");
        assert_eq!(initials("  "), "?");
    }

    #[test]
    fn generated_avatars_escape_the_name() {
        let svg = initials_svg(7, "<b> &x", 64);
        assert!(svg.contains("&lt;&amp;"), "{svg}");
        assert!(!svg.contains("<b>"));
    }
}
