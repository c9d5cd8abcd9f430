//! A file's type comes from its bytes, never from its name or the declared content type; those
//! only matter when they claim an image the bytes are not (415). Names are metadata, cleaned so
//! path tricks are harmless.

use image::ImageFormat;

use crate::error::AppError;

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    /// PNG, JPEG, WebP or GIF: shown inline, with a thumbnail.
    pub image: Option<ImageFormat>,
}

pub const SNIFF_BYTES: usize = 8 * 1024;

pub fn sniff(head: &[u8]) -> Sniffed {
    let image = image::guess_format(head).ok().filter(|f| {
        matches!(
            f,
            ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif
        )
    });
    if let Some(f) = image {
        return Sniffed {
            content_type: f.to_mime_type(),
            image: Some(f),
        };
    }
    let content_type = if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(b"PK\x03\x04") {
        "application/zip"
    } else if head.starts_with(&[0x1f, 0x8b]) {
        "application/gzip"
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        "video/mp4"
    } else if head.starts_with(b"OggS") {
        "audio/ogg"
    } else if head.starts_with(b"ID3") {
        "audio/mpeg"
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WAVE" {
        "audio/wav"
    } else if looks_like_text(head) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    Sniffed {
        content_type,
        image: None,
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the end of the sniffed window is fine.
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    };
    valid
        && !head
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
}

/// The raster image type a file name or declared content type claims, if any.
fn claimed_image(file_name: Option<&str>, content_type: Option<&str>) -> Vec<&'static str> {
    let mut claims = Vec::new();
    if let Some(ext) = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
    {
        match ext.as_str() {
            "png" => claims.push("image/png"),
            "jpg" | "jpeg" | "jpe" | "jfif" => claims.push("image/jpeg"),
            "webp" => claims.push("image/webp"),
            "gif" => claims.push("image/gif"),
            _ => {}
        }
    }
    if let Some(ct) = content_type {
        let ct = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match ct.as_str() {
            "image/png" => claims.push("image/png"),
            "image/jpeg" | "image/jpg" | "image/pjpeg" => claims.push("image/jpeg"),
            "image/webp" => claims.push("image/webp"),
            "image/gif" => claims.push("image/gif"),
            _ => {}
        }
    }
    claims
}

/// 415 when the name or declared type claims an image the bytes are not.
pub fn check_claims(
    sniffed: &Sniffed,
    file_name: Option<&str>,
    content_type: Option<&str>,
) -> Result<(), AppError> {
    match claimed_image(file_name, content_type)
        .into_iter()
        .find(|&claim| claim != sniffed.content_type)
    {
        Some(claim) => Err(AppError::UnsupportedMediaType(format!(
            "the file claims to be {claim} but its content is {}",
            sniffed.content_type.split(';').next().unwrap_or_default()
        ))),
        None => Ok(()),
    }
}

/// A display name for an uploaded file: the last path component, without control characters,
/// at most 255 characters.
pub fn clean_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi_or_invisible(c))
        .take(255)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "file".into()
    } else {
        cleaned.to_string()
    }
}

/// Bidirectional overrides and invisible format characters: kept, they let `invoice\u{202E}fdp.exe`
/// display as `invoiceexe.pdf` (the "RLO trick").
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// `Content-Disposition` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987).
pub fn content_disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").content_type, "image/png");
        assert_eq!(sniff(b"%PDF-1.7").content_type, "application/pdf");
        assert_eq!(sniff(b"hello").content_type, "text/plain; charset=utf-8");
        assert_eq!(
            sniff(&[0, 1, 2, 3]).content_type,
            "application/octet-stream"
        );
        assert!(sniff(b"<svg xmlns=").image.is_none());
    }

    #[test]
    fn a_lying_name_or_type_is_refused() {
        let text = sniff(b"just text");
        assert!(check_claims(&text, Some("x.png"), None).is_err());
        assert!(check_claims(&text, Some("x.txt"), Some("image/gif")).is_err());
        assert!(check_claims(&text, Some("notes.txt"), Some("text/plain")).is_ok());
        let png = sniff(b"\x89PNG\r\n\x1a\n....");
        assert!(check_claims(&png, Some("x.PNG"), Some("image/png")).is_ok());
        assert!(check_claims(&png, Some("x.jpg"), None).is_err());
        assert!(check_claims(&png, Some("x"), Some("application/octet-stream")).is_ok());
    }

    #[test]
    fn names_are_metadata_only() {
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("C:\\x\\report.pdf")), "report.pdf");
        assert_eq!(clean_name(Some("..")), "file");
        assert_eq!(clean_name(Some("a\u{0}b\n.txt")), "ab.txt");
        assert_eq!(clean_name(None), "file");
        assert_eq!(
            content_disposition("attachment", "résumé \"x\".pdf"),
            "attachment; filename=\"r_sum_ _x_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.pdf"
        );
    }
}
