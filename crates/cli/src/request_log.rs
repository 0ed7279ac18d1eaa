//! Request lines, the log's many lines (target `kawaraban::request`), get a
//! formatter of their own: the same text and JSON as `tracing`'s general
//! formatter writes, but without its per-event machinery, and with the
//! timestamp's date and time formatted once a second per thread.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};

/// The target whose events this layer writes.
pub const TARGET: &str = "kawaraban::request";

/// Writes every `kawaraban::request` event to `writer`, one line each.
pub struct RequestLines<W> {
    writer: W,
    json: bool,
}

impl<W> RequestLines<W> {
    pub fn new(writer: W, json: bool) -> Self {
        Self { writer, json }
    }
}

thread_local! {
    /// The line being written, and the second whose timestamp prefix it has.
    static LINE: RefCell<(String, u64, String)> = RefCell::new((String::with_capacity(256), u64::MAX, String::new()));
}

impl<S, W> Layer<S> for RequestLines<W>
where
    S: Subscriber,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() != TARGET {
            return;
        }
        LINE.with(|cell| {
            let (line, second, prefix) = &mut *cell.borrow_mut();
            line.clear();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            if now.as_secs() != *second {
                *second = now.as_secs();
                prefix.clear();
                if let Some(t) = chrono::DateTime::from_timestamp(now.as_secs() as i64, 0) {
                    let _ = write!(prefix, "{}", t.format("%Y-%m-%dT%H:%M:%S"));
                }
            }
            let micros = now.subsec_micros();
            if self.json {
                line.push_str("{\"timestamp\":\"");
                timestamp(line, prefix, micros);
                line.push_str("\",\"level\":\"");
                line.push_str(padded(meta.level()).trim_start());
                line.push('"');
                event.record(&mut JsonFields(line));
                line.push_str(",\"target\":");
                json_str(line, meta.target());
                line.push_str("}\n");
            } else {
                timestamp(line, prefix, micros);
                line.push(' ');
                line.push_str(padded(meta.level()));
                line.push(' ');
                line.push_str(meta.target());
                line.push(':');
                event.record(&mut TextFields(line));
                line.push('\n');
            }
            let _ = self.writer.make_writer().write_all(line.as_bytes());
        });
    }
}

/// `PREFIX.MMMMMMZ`: the second's date and time, and the microseconds.
fn timestamp(line: &mut String, prefix: &str, micros: u32) {
    line.push_str(prefix);
    line.push('.');
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(micros);
    for _ in digits.len()..6 {
        line.push('0');
    }
    line.push_str(digits);
    line.push('Z');
}

/// Whether `s` is written the same quoted as `{:?}` would write it, between
/// plain quotes: printable ASCII without quotes or backslashes (every
/// request line's host, path and cache state, in practice).
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

/// ` name=`, the start of a text field.
fn text_key(out: &mut String, field: &Field) {
    out.push(' ');
    out.push_str(field.name());
    out.push('=');
}

fn padded(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => " INFO",
        Level::WARN => " WARN",
        Level::ERROR => "ERROR",
    }
}

/// ` message k=v k="str"`, as `tracing`'s text format writes them.
struct TextFields<'a>(&'a mut String);

impl Visit for TextFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        text_key(self.0, field);
        if plain(value) {
            self.0.push('"');
            self.0.push_str(value);
            self.0.push('"');
        } else {
            let _ = write!(self.0, "{value:?}");
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        text_key(self.0, field);
        self.0.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        text_key(self.0, field);
        self.0.push_str(itoa::Buffer::new().format(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

/// `,"k":v` pairs, as `tracing`'s flattened JSON format writes them.
struct JsonFields<'a>(&'a mut String);

impl JsonFields<'_> {
    fn key(&mut self, field: &Field) {
        self.0.push(',');
        json_str(self.0, field.name());
        self.0.push(':');
    }
}

impl Visit for JsonFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        json_str(self.0, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field);
        self.0.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field);
        self.0.push_str(itoa::Buffer::new().format(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.key(field);
        json_str(self.0, &format!("{value:?}"));
    }
}

/// A JSON string literal.
fn json_str(out: &mut String, s: &str) {
    if plain(s) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Sink {
        type Writer = Sink;
        fn make_writer(&'a self) -> Sink {
            self.clone()
        }
    }

    fn written(json: bool) -> String {
        let sink = Sink::default();
        let subscriber = tracing_subscriber::registry().with(RequestLines::new(sink.clone(), json));
        tracing::subscriber::with_default(subscriber, || {
            let method = "GET";
            let (host, path, cache) = ("news.localhost", "/a \"b\"", "HIT");
            tracing::info!(target: "kawaraban::request", %method, host, path, status = 200u16, micros = 12u64, cache, "request");
            let path = "/news/caf\u{e9}";
            tracing::info!(target: "kawaraban::request", method = "GET", path, status = 404u16, micros = 1_234_567u64, "request");
            let path = "/news/plain-story";
            tracing::info!(target: "kawaraban::request", method = "GET", path, status = 304u16, micros = 0u64, "request");
            tracing::info!(target: "kawaraban::other", "not a request line");
        });
        let out = sink.0.lock().unwrap().clone();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn request_lines_read_as_tracings_own_text_format() {
        let lines = written(false);
        let lines: Vec<&str> = lines.split_inclusive('\n').collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        let rests: Vec<&str> = lines
            .iter()
            .map(|line| {
                let (time, rest) = line.split_once(' ').unwrap();
                assert!(time.ends_with('Z') && time.len() == 27, "{time}");
                assert_eq!(&time[19..20], ".", "{time}");
                rest
            })
            .collect();
        assert_eq!(
            rests,
            [
                " INFO kawaraban::request: request method=GET host=\"news.localhost\" path=\"/a \\\"b\\\"\" status=200 micros=12 cache=\"HIT\"\n",
                " INFO kawaraban::request: request method=\"GET\" path=\"/news/caf\u{e9}\" status=404 micros=1234567\n",
                " INFO kawaraban::request: request method=\"GET\" path=\"/news/plain-story\" status=304 micros=0\n",
            ]
        );
    }

    #[test]
    fn request_lines_in_json_are_one_object_each() {
        let lines = written(true);
        let all: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(all.len(), 3, "{lines}");
        assert_eq!(all[1]["path"], "/news/caf\u{e9}");
        assert_eq!(all[2]["path"], "/news/plain-story");
        assert_eq!(all[2]["micros"], 0);
        let v = &all[0];
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["message"], "request");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["path"], "/a \"b\"");
        assert_eq!(v["status"], 200);
        assert_eq!(v["micros"], 12);
        assert_eq!(v["target"], "kawaraban::request");
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
