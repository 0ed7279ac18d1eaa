//! Original hero pictures for the demo, painted by code: a sky, a sun and
//! layered ridges, with colours and shapes chosen from the article's slug so
//! every article has its own picture and the same one on every run.

use image::{Rgb, RgbImage};
use sha2::{Digest, Sha256};

pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

const PALETTES: [[[u8; 3]; 5]; 6] = [
    // sky top, sky bottom, far ridge, near ridge, sun
    [
        [18, 42, 84],
        [240, 160, 110],
        [70, 60, 110],
        [30, 30, 60],
        [255, 220, 160],
    ],
    [
        [120, 180, 230],
        [230, 240, 250],
        [90, 130, 110],
        [40, 80, 60],
        [255, 250, 220],
    ],
    [
        [40, 20, 60],
        [220, 90, 90],
        [110, 40, 70],
        [50, 20, 40],
        [255, 200, 120],
    ],
    [
        [200, 220, 235],
        [250, 235, 215],
        [150, 160, 170],
        [90, 100, 110],
        [255, 255, 240],
    ],
    [
        [10, 60, 90],
        [120, 200, 210],
        [20, 90, 110],
        [10, 50, 70],
        [240, 250, 255],
    ],
    [
        [90, 50, 20],
        [240, 200, 120],
        [140, 90, 50],
        [70, 40, 20],
        [255, 240, 200],
    ],
];

/// Paints the picture for `seed` (an article slug).
// 6.28 is a painter's constant here, not TAU: changing it would repaint the demo.
#[allow(clippy::approx_constant)]
pub fn paint(seed: &str) -> RgbImage {
    let digest = Sha256::digest(seed.as_bytes());
    let byte = |i: usize| f32::from(digest[i % digest.len()]) / 255.0;
    let palette = PALETTES[usize::from(digest[0]) % PALETTES.len()];
    let sun_x = 0.15 + 0.7 * byte(1);
    let sun_y = 0.2 + 0.3 * byte(2);
    let sun_r = 0.06 + 0.06 * byte(3);
    let layers: Vec<[f32; 7]> = (0..3)
        .map(|l| {
            let o = 4 + l * 7;
            [
                0.55 + 0.12 * l as f32 + 0.05 * byte(o),
                0.04 + 0.05 * byte(o + 1),
                2.0 + 6.0 * byte(o + 2),
                6.28 * byte(o + 3),
                0.02 + 0.03 * byte(o + 4),
                9.0 + 14.0 * byte(o + 5),
                6.28 * byte(o + 6),
            ]
        })
        .collect();
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    // Ridge heights depend on x only: work them out once per column.
    let ridges: Vec<Vec<f32>> = layers
        .iter()
        .map(|l| {
            (0..WIDTH)
                .map(|x| {
                    let fx = x as f32 / w;
                    l[0] - l[1] * (l[2] * fx * 6.28 + l[3]).sin()
                        - l[4] * (l[5] * fx * 6.28 + l[6]).sin()
                })
                .collect()
        })
        .collect();
    let tones: Vec<[u8; 3]> = (0..layers.len())
        .map(|i| mix(palette[2], palette[3], i as f32 / 2.0))
        .collect();
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        let mut c = mix(palette[0], palette[1], fy);
        let (dx, dy) = ((fx - sun_x) * w / h, fy - sun_y);
        let d2 = dx * dx + dy * dy;
        let halo = sun_r * 1.8;
        if d2 < halo * halo {
            let d = d2.sqrt();
            let glow = ((halo - d) / (sun_r * 0.8)).clamp(0.0, 1.0);
            c = mix(c, palette[4], if d < sun_r { 1.0 } else { glow * 0.35 });
        }
        for (ridge, tone) in ridges.iter().zip(&tones) {
            let top = ridge[x as usize];
            if fy > top {
                c = mix(*tone, [0, 0, 0], ((fy - top) * 1.5).clamp(0.0, 0.35));
            }
        }
        Rgb(c)
    })
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t).round() as u8)
}

/// The picture as JPEG bytes.
pub fn paint_jpeg(seed: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
    image::DynamicImage::ImageRgb8(paint(seed))
        .write_with_encoder(encoder)
        .expect("encoding to memory cannot fail");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pictures_differ_by_seed_and_repeat_for_the_same_seed() {
        let a = super::paint("one");
        assert_eq!(a, super::paint("one"));
        assert_ne!(a, super::paint("two"));
        assert_eq!(a.dimensions(), (super::WIDTH, super::HEIGHT));
    }
}
