//! A bar chart as inline SVG, drawn on the server: readable without
//! JavaScript, printable, and with a text equivalent for screen readers.

use std::fmt::Write as _;

/// One bar: its label (shown every few bars and in the bar's tooltip) and value.
pub struct Bar {
    pub label: String,
    pub value: i64,
}

const W: f64 = 720.0;
const H: f64 = 200.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 24.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart, titled `title` (also its accessible name); a label under
/// every `label_every`-th bar.
pub fn bars(title: &str, bars: &[Bar], label_every: usize) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    // A round top for the scale: 1, 2 or 5 times a power of ten.
    let mut top = 1i64;
    while top < max {
        top = match top.to_string().as_bytes()[0] {
            b'1' => top * 2,
            b'2' => top / 2 * 5,
            _ => top * 2,
        };
    }
    let total: i64 = bars.iter().map(|b| b.value).sum();
    let plot_w = W - LEFT;
    let plot_h = H - BOTTOM;
    let step = plot_w / bars.len().max(1) as f64;
    let mut s = String::with_capacity(256 + bars.len() * 160);
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{} bars, {} in all, the highest {}.</desc>"#,
        esc(title),
        bars.len(),
        total,
        bars.iter().map(|b| b.value).max().unwrap_or(0)
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = plot_h - plot_h * frac;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            y + 4.0,
            (top as f64 * frac).round() as i64
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let h = plot_h * b.value as f64 / top as f64;
        let x = LEFT + step * i as f64;
        let _ = write!(
            s,
            r#"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}: {}</title></rect>"#,
            x + step * 0.1,
            plot_h - h,
            step * 0.8,
            esc(&b.label),
            b.value
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
                x,
                H - 6.0,
                esc(&b.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar per answer (survey results): its label, count and
/// share, longest bar at full width. `id` makes the chart's title and
/// description unique on a page with many charts.
pub fn hbars(id: &str, title: &str, bars: &[(String, u64, f64)]) -> String {
    const ROW: f64 = 28.0;
    const LABEL: f64 = 260.0;
    const NUMBERS: f64 = 110.0;
    let h = ROW * bars.len().max(1) as f64 + 8.0;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let total: u64 = bars.iter().map(|b| b.1).sum();
    let plot_w = W - LABEL - NUMBERS;
    let id = esc(id);
    let mut s = String::with_capacity(256 + bars.len() * 240);
    let _ = write!(
        s,
        r#"<svg class="chart hchart" viewBox="0 0 {W} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&bars
            .iter()
            .map(|(l, n, p)| format!("{l}: {n} ({p}%)"))
            .collect::<Vec<_>>()
            .join("; ")),
    );
    let _ = total;
    for (i, (label, n, pct)) in bars.iter().enumerate() {
        let y = ROW * i as f64 + 4.0;
        let w = plot_w * *n as f64 / max as f64;
        let short: String = if label.chars().count() > 38 {
            label.chars().take(36).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{LABEL}" y="{y:.1}" width="{w:.1}" height="{:.1}"><title>{}: {n}</title></rect><text class="axis" x="{:.1}" y="{:.1}">{n} · {pct}%</text>"#,
            LABEL - 8.0,
            y + ROW * 0.6,
            esc(&short),
            ROW * 0.7,
            esc(label),
            LABEL + w + 6.0,
            y + ROW * 0.6,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_value_scaled_to_a_round_top_and_escaped() {
        let b = vec![
            Bar {
                label: "<09:00>".into(),
                value: 30,
            },
            Bar {
                label: "10:00".into(),
                value: 0,
            },
        ];
        let svg = bars("Views & readers", &b, 1);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Views &amp; readers"));
        assert!(svg.contains("&lt;09:00&gt;: 30"));
        assert!(!svg.contains("<09:00>"));
        // 30 scales against 50: the bar fills 60% of the plot.
        let h = (H - BOTTOM) * 0.6;
        assert!(svg.contains(&format!("height=\"{h:.1}\"")), "{svg}");
        assert!(svg.contains(">50</text>"));
    }

    #[test]
    fn horizontal_bars_name_each_answer_with_its_share() {
        let svg = hbars(
            "q1",
            "How often?",
            &[("Daily".into(), 3, 75.0), ("<Rarely>".into(), 1, 25.0)],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(r#"id="q1-title""#));
        assert!(svg.contains("Daily: 3 (75%); &lt;Rarely&gt;: 1 (25%)"));
        assert!(svg.contains("3 · 75%"));
        assert!(!svg.contains("<Rarely>"));
    }
}
