//! Images: checked, stored once by content hash, resized into the widths
//! pages use in `srcset`.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader};
use kawaraban_core::model::NewImage;
use sha2::{Digest, Sha256};

/// Widths generated for every image (never wider than the original).
pub const WIDTHS: [u32; 4] = [480, 800, 1200, 1600];

/// Largest image accepted, in pixels, so a hostile file cannot exhaust memory.
const MAX_PIXELS: u64 = 50_000_000;

/// Largest logo file accepted (a sponsor's mark, not a photograph).
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// The directory that holds image renditions, `<data-dir>/media`.
#[derive(Debug, Clone)]
pub struct MediaDir {
    root: PathBuf,
}

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("not a JPEG, PNG or WebP image we can read: {0}")]
    Decode(String),
    #[error("the image is too large ({0}x{1} pixels)")]
    TooLarge(u32, u32),
    #[error("the file is {0} bytes; a logo is at most {MAX_LOGO_BYTES} bytes")]
    LogoTooBig(usize),
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, std::io::Error),
}

impl MediaDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of one rendition, if the name is one this directory could hold.
    pub fn file_for(&self, name: &str) -> Option<PathBuf> {
        kawaraban_core::model::Image::rendition_file(&self.root, name)
    }

    /// Stores a sponsor's logo and gives the public path of its smallest
    /// rendition (a logo shows small). CPU-heavy: call from a blocking thread.
    pub fn store_logo(&self, bytes: &[u8]) -> Result<String, MediaError> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(MediaError::LogoTooBig(bytes.len()));
        }
        let img = self.process(bytes)?;
        Ok(format!(
            "/media/{}-{}.{}",
            img.hash,
            img.widths.first().copied().unwrap_or(img.width),
            img.ext
        ))
    }

    /// Checks, hashes and resizes an image; files already present are kept.
    /// CPU-heavy: call from a blocking thread.
    pub fn process(&self, bytes: &[u8]) -> Result<NewImage, MediaError> {
        let hash = hex::encode(Sha256::digest(bytes));
        let reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| MediaError::Decode(e.to_string()))?;
        match reader.format() {
            Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
            _ => return Err(MediaError::Decode("unknown or unsupported format".into())),
        }
        let mut decoder = reader
            .into_decoder()
            .map_err(|e| MediaError::Decode(e.to_string()))?;
        // Phones store photos sideways with an EXIF orientation: apply it,
        // since the renditions carry no EXIF (none of it is kept: not the
        // orientation, not the camera, not where it was taken).
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let (w, h) = decoder.dimensions();
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(MediaError::TooLarge(w, h));
        }
        let (w, h) = match orientation {
            Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH => (h, w),
            _ => (w, h),
        };
        let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&x| x <= w).collect();
        if widths.is_empty() {
            widths.push(w);
        }
        let ext = "jpg".to_string();
        let dir = self.root.join(&hash[..2]);
        let all_present = widths
            .iter()
            .all(|wd| dir.join(format!("{hash}-{wd}.{ext}")).exists());
        if !all_present {
            let mut img = DynamicImage::from_decoder(decoder)
                .map_err(|e| MediaError::Decode(e.to_string()))?;
            img.apply_orientation(orientation);
            let (w, h) = img.dimensions();
            let flat = DynamicImage::ImageRgb8(flatten(&img));
            std::fs::create_dir_all(&dir).map_err(|e| MediaError::Write(dir.clone(), e))?;
            // Largest first, each rendition made from the one before: much
            // cheaper than resizing the original every time, and as sharp.
            let mut source = flat;
            for &wd in widths.iter().rev() {
                let hd = ((u64::from(h) * u64::from(wd) + u64::from(w) / 2) / u64::from(w)).max(1)
                    as u32;
                let resized = if wd == source.width() {
                    source.clone()
                } else {
                    source.resize_exact(wd, hd, FilterType::Triangle)
                };
                let mut out = Vec::new();
                let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
                resized
                    .write_with_encoder(encoder)
                    .map_err(|e| MediaError::Decode(e.to_string()))?;
                let path = dir.join(format!("{hash}-{wd}.{ext}"));
                write_atomically(&path, &out).map_err(|e| MediaError::Write(path.clone(), e))?;
                source = resized;
            }
        }
        Ok(NewImage {
            hash,
            width: w,
            height: h,
            widths,
            ext,
        })
    }
}

/// Puts transparent pixels on white, since renditions are JPEG.
fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let mix = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

/// Writes through a temporary file so readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([(x % 255) as u8, (y % 255) as u8, 90, 200])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn images_are_resized_to_widths_no_larger_than_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path());
        let img = media.process(&png(900, 600)).unwrap();
        assert_eq!(img.widths, vec![480, 800]);
        assert_eq!((img.width, img.height), (900, 600));
        let file = media.file_for(&format!("{}-800.jpg", img.hash)).unwrap();
        let back = image::open(file).unwrap();
        assert_eq!(back.dimensions(), (800, 533));
        let small = media.process(&png(300, 200)).unwrap();
        assert_eq!(small.widths, vec![300]);
    }

    #[test]
    fn a_logo_is_stored_and_named_by_its_smallest_rendition() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path());
        let path = media.store_logo(&png(640, 160)).unwrap();
        let name = path.strip_prefix("/media/").unwrap();
        assert!(name.ends_with("-480.jpg"), "{path}");
        assert!(media.file_for(name).unwrap().exists());
        let huge = vec![0u8; MAX_LOGO_BYTES + 1];
        assert!(matches!(
            media.store_logo(&huge),
            Err(MediaError::LogoTooBig(_))
        ));
    }

    /// A JPEG of `w`x`h` whose EXIF says "rotate 90° clockwise to show"
    /// (orientation 6, as phones held upright write), and a GPS-looking
    /// marker in the same EXIF block that must not survive.
    fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            image::Rgb([if x < w / 2 { 250 } else { 5 }, 0, 0])
        });
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        // TIFF, little-endian: one IFD entry, 0x0112 SHORT 1 = 6; then text.
        let mut exif =
            b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPS 35.6812N 139.7671E");
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(&exif);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn orientation_is_applied_and_no_exif_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path());
        let img = media.process(&sideways_jpeg(640, 480)).unwrap();
        assert_eq!((img.width, img.height), (480, 640), "shown upright");
        assert_eq!(img.widths, vec![480]);
        let file = media.file_for(&format!("{}-480.jpg", img.hash)).unwrap();
        let bytes = std::fs::read(&file).unwrap();
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!(back.dimensions(), (480, 640));
        // The red half (left) is now on top.
        assert!(back.to_rgb8().get_pixel(240, 40).0[0] > 200);
        assert!(back.to_rgb8().get_pixel(240, 600).0[0] < 60);
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "no EXIF in the rendition"
        );
        assert!(!bytes.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn a_pixel_bomb_is_refused_before_it_is_decoded() {
        // A valid PNG header claiming 60,000 x 60,000 pixels, and no pixels.
        let mut png_bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png_bomb.extend_from_slice(&60_000u32.to_be_bytes());
        png_bomb.extend_from_slice(&60_000u32.to_be_bytes());
        png_bomb.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = crc32(&png_bomb[12..]);
        png_bomb.extend_from_slice(&crc.to_be_bytes());
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            png_bomb.extend_from_slice(&[0, 0, 0, 0]);
            png_bomb.extend_from_slice(chunk);
            png_bomb.extend_from_slice(&crc32(chunk).to_be_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path());
        let got = media.process(&png_bomb);
        assert!(
            matches!(got, Err(MediaError::TooLarge(60_000, 60_000))),
            "{got:?}"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path());
        assert!(matches!(
            media.process(b"not an image"),
            Err(MediaError::Decode(_))
        ));
    }

    #[test]
    fn rendition_names_cannot_escape_the_directory() {
        let media = MediaDir::new("/m");
        assert!(media.file_for("../etc/passwd").is_none());
        assert!(media
            .file_for(&format!("{}-800.jpg", "a".repeat(64)))
            .is_some());
        assert!(media
            .file_for(&format!("{}-800.exe", "a".repeat(64)))
            .is_none());
    }
}
