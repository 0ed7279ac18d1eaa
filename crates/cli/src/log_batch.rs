//! The log's writer: lines are appended to one buffer in memory, and a
//! thread of its own writes the buffer out a few times a second, in one
//! `write` however many lines it holds.
//!
//! A line costs its caller a short lock and a copy; the writer thread is
//! woken once per batch, not once per line (a channel message per line
//! costs a wake-up each when the writer keeps up, which is most of the cost
//! of logging a cached page). A line after a quiet spell is written at
//! once; under load, writes are [`EVERY`] apart, so a line reaches the log
//! at most that late, and a crash (not a graceful stop, which writes
//! everything out) loses at most that much of the log.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// The least time between two writes: how long lines gather under load.
pub const EVERY: Duration = Duration::from_millis(25);

/// Lines held before a writer waits for the writer thread to catch up
/// (lines are never dropped).
const MOST: usize = 8 * 1024 * 1024;

struct Inner {
    state: Mutex<State>,
    /// The buffer got its first line, or the log is closing.
    filled: Condvar,
    /// The writer thread took the buffer.
    drained: Condvar,
}

struct State {
    buf: Vec<u8>,
    closing: bool,
}

/// Where log lines go: cheap to clone, one buffer behind every clone.
#[derive(Clone)]
pub struct Batch(Arc<Inner>);

/// Writes out what is left and stops the writer thread when dropped.
pub struct Guard {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

impl Batch {
    /// Starts the writer thread writing batches to `out`.
    pub fn start(out: impl Write + Send + 'static) -> (Batch, Guard) {
        Self::start_every(out, EVERY)
    }

    fn start_every(mut out: impl Write + Send + 'static, every: Duration) -> (Batch, Guard) {
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                buf: Vec::with_capacity(64 * 1024),
                closing: false,
            }),
            filled: Condvar::new(),
            drained: Condvar::new(),
        });
        let shared = inner.clone();
        let thread = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || {
                let mut spare = Vec::with_capacity(64 * 1024);
                let mut last = std::time::Instant::now() - every;
                loop {
                    let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
                    while st.buf.is_empty() && !st.closing {
                        st = shared.filled.wait(st).unwrap_or_else(|p| p.into_inner());
                    }
                    let closing = st.closing;
                    // A line after a quiet spell goes out at once; under
                    // load, writes are `every` apart and the batch fills.
                    let due = last + every;
                    if !closing && std::time::Instant::now() < due {
                        drop(st);
                        std::thread::sleep(due - std::time::Instant::now().min(due));
                        st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
                    }
                    std::mem::swap(&mut st.buf, &mut spare);
                    let closing = closing || st.closing;
                    drop(st);
                    shared.drained.notify_all();
                    // A log that cannot be written has nowhere to say so.
                    let _ = out.write_all(&spare).and_then(|()| out.flush());
                    last = std::time::Instant::now();
                    spare.clear();
                    if closing {
                        let st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
                        if st.buf.is_empty() {
                            return;
                        }
                    }
                }
            })
            .expect("cannot start the log writer thread");
        (
            Batch(inner.clone()),
            Guard {
                inner,
                thread: Some(thread),
            },
        )
    }

    fn append(&self, line: &[u8]) {
        let mut st = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        while st.buf.len() >= MOST && !st.closing {
            st = self.0.drained.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        let was_empty = st.buf.is_empty();
        st.buf.extend_from_slice(line);
        drop(st);
        if was_empty {
            self.0.filled.notify_one();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .closing = true;
        self.inner.filled.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One writer handed to a formatter; each `write` is a whole line (both
/// formatters write a line in one call).
pub struct LineWriter<'a>(&'a Batch);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Batch {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` that keeps what it got and how many writes it took.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut s = self.0.lock().unwrap();
            s.0.extend_from_slice(buf);
            s.1 += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_arrive_whole_in_order_and_in_few_writes() {
        let sink = Sink::default();
        let (batch, guard) = Batch::start_every(sink.clone(), Duration::from_millis(50));
        for i in 0..1000 {
            batch
                .make_writer()
                .write_all(format!("line {i}\n").as_bytes())
                .unwrap();
        }
        drop(guard);
        let (bytes, writes) = sink.0.lock().unwrap().clone();
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000);
        assert_eq!(lines[999], "line 999");
        assert!(lines
            .iter()
            .enumerate()
            .all(|(i, l)| *l == format!("line {i}")));
        assert!(writes <= 3, "{writes} writes for 1000 lines");
    }

    #[test]
    fn a_line_after_a_quiet_spell_is_written_at_once() {
        let sink = Sink::default();
        // However long the batching interval, the first line does not wait for it.
        let (batch, _guard) = Batch::start_every(sink.clone(), Duration::from_secs(30));
        batch.make_writer().write_all(b"ready\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while sink.0.lock().unwrap().0.is_empty() {
            assert!(std::time::Instant::now() < deadline, "the line never came");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(sink.0.lock().unwrap().0, b"ready\n");
    }

    #[test]
    fn lines_from_many_threads_are_never_torn() {
        let sink = Sink::default();
        let (batch, guard) = Batch::start_every(sink.clone(), Duration::from_millis(1));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let b = batch.clone();
                std::thread::spawn(move || {
                    for i in 0..500 {
                        b.make_writer()
                            .write_all(
                                format!("thread {t} line {i} {}\n", "x".repeat(100)).as_bytes(),
                            )
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().0.clone()).unwrap();
        assert_eq!(text.lines().count(), 2000);
        assert!(text
            .lines()
            .all(|l| l.starts_with("thread ") && l.ends_with(&"x".repeat(100))));
    }
}
