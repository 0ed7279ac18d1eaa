//! Synthetic articles for benchmarks: plausible-looking text from a fixed
//! vocabulary with a skewed word frequency (so search has common and rare
//! words), deterministic for a given seed.

use chrono::{DateTime, Duration, Utc};
use kawaraban_core::model::{ArticleInput, Status};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORDS: &str = "the government said minister budget city council rail line station port \
    market prices yen exports company profit shares investors trade talks summit election vote \
    party opposition bill law court ruling police residents school students teachers hospital \
    doctors patients energy power solar wind nuclear plant climate typhoon rain flood earthquake \
    coast island ferry airport flights tourism visitors hotel festival temple shrine museum art \
    music film season league team coach players match final record fans stadium science research \
    study university data satellite rocket moon ocean fish harvest rice farmers village mountain \
    river bridge road traffic housing rent workers wages union factory robots software startup \
    fund bank rates inflation consumers retail sales survey report agency officials plan project \
    program local national regional global foreign ministry embassy treaty security defense \
    navy coast guard weather snow winter spring summer autumn night morning week month year \
    tokyo osaka kyoto sapporo sendai fukuoka nagoya kobe hiroshima okinawa hokkaido kyushu \
    shikoku seoul beijing singapore manila jakarta bangkok hanoi sydney geneva london \
    announced approved rejected expected reported warned agreed opened closed raised cut \
    increased fell rose grew slowed recovered launched completed delayed cancelled resumed";

const SURNAMES: [&str; 10] = [
    "Tanabe", "Okabe", "Senda", "Hoshino", "Ibara", "Kise", "Marsh", "Reyes", "Arata", "Mase",
];
const GIVEN: [&str; 10] = [
    "Aiko", "Ren", "Mariko", "Daniel", "Tomoko", "Haruto", "Yuki", "Callum", "Kenji", "Hiroko",
];

/// Deterministic generator of synthetic articles.
pub struct Synth {
    rng: StdRng,
    words: Vec<&'static str>,
    /// Cumulative weights for a Zipf-like draw.
    cumulative: Vec<f64>,
}

/// One synthetic article, before it is tied to a site and section.
pub struct SynthArticle {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub paragraphs: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub author: String,
    pub tags: Vec<String>,
    pub section_index: usize,
}

impl Synth {
    pub fn new(seed: u64) -> Self {
        let words: Vec<&'static str> = WORDS.split_whitespace().collect();
        let mut cumulative = Vec::with_capacity(words.len());
        let mut total = 0.0;
        for rank in 1..=words.len() {
            total += 1.0 / rank as f64;
            cumulative.push(total);
        }
        Self {
            rng: StdRng::seed_from_u64(seed),
            words,
            cumulative,
        }
    }

    /// Every word the text may contain, most frequent first.
    pub fn vocabulary(&self) -> &[&'static str] {
        &self.words
    }

    fn word(&mut self) -> &'static str {
        let total = *self.cumulative.last().expect("vocabulary is not empty");
        let x = self.rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|&c| c < x);
        self.words[i.min(self.words.len() - 1)]
    }

    fn sentence(&mut self, min: usize, max: usize) -> String {
        let n = self.rng.random_range(min..=max);
        let mut s = String::new();
        for i in 0..n {
            let w = self.word();
            if i == 0 {
                let mut c = w.chars();
                s.push_str(
                    &c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default(),
                );
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s
    }

    /// The `i`-th article: published `i` × 5 minutes before `newest`.
    pub fn article(&mut self, i: u64, newest: DateTime<Utc>, sections: usize) -> SynthArticle {
        let title = self.sentence(6, 11);
        let summary = self.sentence(14, 24) + ".";
        let paragraphs = (0..self.rng.random_range(4..=6))
            .map(|_| {
                (0..3)
                    .map(|_| self.sentence(10, 18) + ".")
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let author = format!(
            "{} {}",
            GIVEN[self.rng.random_range(0..GIVEN.len())],
            SURNAMES[self.rng.random_range(0..SURNAMES.len())]
        );
        let tags = (0..2)
            .map(|_| format!("{} {}", self.word(), self.word()))
            .collect();
        SynthArticle {
            slug: format!(
                "{}-{i}",
                kawaraban_core::slug::slugify(&title)
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .trim_end_matches('-')
            ),
            title,
            summary,
            paragraphs,
            published_at: newest - Duration::minutes(5 * i as i64),
            author,
            tags,
            section_index: self.rng.random_range(0..sections.max(1)),
        }
    }
}

impl SynthArticle {
    /// As an import file's text (for timing the normal importer).
    pub fn to_markdown(&self, site: &str, section: &str, image: Option<&str>) -> String {
        let mut s = format!(
            "---\ntitle: {}\nslug: {}\nsite: {site}\nsection: {section}\nsummary: {}\ndateline: TOKYO\npublished_at: {}\nauthors: [{}]\ntags: [{}]\n",
            self.title,
            self.slug,
            self.summary,
            self.published_at.to_rfc3339(),
            self.author,
            self.tags.join(", ")
        );
        if let Some(img) = image {
            s.push_str(&format!("image:\n  src: {img}\n  caption: A synthetic picture.\n  credit: Bench Wire/Synthetic\n"));
        }
        s.push_str("---\n");
        s.push_str(&self.paragraphs.join("\n\n"));
        s.push('\n');
        s
    }

    /// As a storage input, with HTML made directly (the text has no markup).
    pub fn to_input(&self, site_id: i64, section_id: i64, image_id: Option<i64>) -> ArticleInput {
        let body_markdown = self.paragraphs.join("\n\n");
        let body_html = self
            .paragraphs
            .iter()
            .map(|p| format!("<p>{p}</p>\n"))
            .collect();
        ArticleInput {
            site_id,
            section_id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            dateline: "TOKYO".into(),
            body_text: self.paragraphs.join("\n"),
            body_markdown,
            body_html,
            source: "Bench Wire".into(),
            copyright: "© Bench Wire 2026.".into(),
            published_at: self.published_at,
            updated_at: None,
            status: Status::Published,
            featured: false,
            breaking: false,
            image_id,
            image_caption: "A synthetic picture.".into(),
            image_credit: "Bench Wire/Synthetic".into(),
            image_alt: "A painted landscape.".into(),
            authors: vec![self.author.clone()],
            tags: self.tags.clone(),
            origin: "generate".into(),
        }
    }
}

/// A synthetic reading history of `days` days for every article of a site
/// (for benchmarks of the dashboard and the trending block): each story
/// read for a day or two after publication, a long tail of older stories
/// read a little on a few days. Returns the tallies written.
pub async fn history(
    store: &dyn kawaraban_core::store::Store,
    site_id: i64,
    days: i64,
    now: DateTime<Utc>,
) -> kawaraban_core::StoreResult<usize> {
    use crate::demo::readership::{noise, readers_at, SOURCES};
    use kawaraban_core::analytics::{Tally, MINUTES_PER_DAY};
    use kawaraban_core::model::ListFilter;
    use kawaraban_core::paging::PageRequest;
    let now_min = now.timestamp().div_euclid(60);
    let first = now_min - days * MINUTES_PER_DAY;
    let mut written = 0;
    let mut page = 1;
    loop {
        let list = store
            .list_articles(site_id, ListFilter::All, PageRequest::new(page, 500), now)
            .await?;
        let mut batch = Vec::new();
        for a in &list.items {
            let published = a.published_at.timestamp().div_euclid(60);
            let tally = |minute: i64, views: i64, readers: i64, referrers| Tally {
                site_id,
                article_id: a.id,
                minute,
                views,
                readers,
                referrers,
            };
            if published >= first {
                // Read for a day or two after publication, hour by hour.
                let pop = 4.0 + 120.0 * noise(a.id, 1).powi(4);
                let mut views_total = 0;
                for h in 0..48 {
                    let start = published.div_euclid(60) * 60 + h * 60;
                    if start > now_min {
                        break;
                    }
                    let local_hour = ((start / 60 + 9) % 24) as u32;
                    let readers = readers_at(pop, h, local_hour, noise(a.id, start));
                    if readers > 0 {
                        views_total += readers + readers / 3;
                        batch.push(tally(start, readers + readers / 3, readers, Vec::new()));
                    }
                }
                let refs = SOURCES
                    .iter()
                    .map(|(k, host, share)| {
                        (
                            *k,
                            host.to_string(),
                            (views_total as f64 * share).round() as i64,
                        )
                    })
                    .filter(|r| r.2 > 0)
                    .collect();
                batch.push(tally(published, 0, 0, refs));
            } else {
                // The long tail: a few readers on three days of the span.
                for k in 0..3 {
                    let day = (noise(a.id, 10 + k) * days as f64) as i64;
                    let minute = first + day * MINUTES_PER_DAY + 12 * 60;
                    let readers = 1 + (noise(a.id, 20 + k) * 3.0) as i64;
                    batch.push(tally(
                        minute,
                        readers,
                        readers,
                        vec![(
                            kawaraban_core::analytics::RefKind::Search,
                            String::new(),
                            readers,
                        )],
                    ));
                }
            }
        }
        written += batch.len();
        store.add_tallies(&batch, false).await?;
        if !list.has_next {
            return Ok(written);
        }
        page += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_articles_are_deterministic_and_valid_import_files() {
        let now = Utc::now();
        let a = Synth::new(7).article(3, now, 6);
        let b = Synth::new(7).article(3, now, 6);
        assert_eq!(a.title, b.title);
        let parsed =
            kawaraban_core::frontmatter::parse(&a.to_markdown("news", "politics", None)).unwrap();
        assert_eq!(parsed.slug, a.slug);
        assert_eq!(parsed.published_at, a.published_at.with_timezone(&Utc));
    }
}
