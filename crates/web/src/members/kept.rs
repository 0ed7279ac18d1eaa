//! What was read of signed-in readers lately, kept while the store's
//! commit mark (`CacheEvents::commit_mark`) stays where it was when it was
//! read: nothing was committed since (a sign-out, a ban, an answer, an
//! entry, another process's write), so reading it again would give the
//! same answer. Any commit empties it. Without a mark (PostgreSQL, where
//! other app servers' commits are not announced) nothing is kept.
//!
//! The mark may carry more than the commit mark (`M`): what was rendered
//! for a member is also kept only within one second (`members::slots`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Most values kept (a few MB at most); past it the set starts again.
const MOST_KEPT: usize = 10_000;

/// Values by key, all read under one commit mark.
pub struct KeptOnMark<K, V, M = u64>(Mutex<Kept<K, V, M>>);

struct Kept<K, V, M> {
    mark: M,
    values: HashMap<K, V>,
}

impl<K, V, M: Default> Default for KeptOnMark<K, V, M> {
    fn default() -> Self {
        Self(Mutex::new(Kept {
            mark: M::default(),
            values: HashMap::new(),
        }))
    }
}

impl<K: Hash + Eq, V: Clone, M: PartialEq + Copy> KeptOnMark<K, V, M> {
    /// The value kept for `key` under `mark`, if the set is still that mark's.
    pub fn get<Q>(&self, mark: M, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let kept = self.0.lock().ok()?;
        if kept.mark != mark {
            return None;
        }
        kept.values.get(key).cloned()
    }

    /// Keeps `value`, read after `mark` was: a set of an older mark is
    /// emptied first.
    pub fn put(&self, mark: M, key: K, value: V) {
        let Ok(mut kept) = self.0.lock() else { return };
        if kept.mark != mark || kept.values.len() >= MOST_KEPT {
            kept.values.clear();
            kept.mark = mark;
        }
        kept.values.insert(key, value);
    }

    /// The kept value, or `read`'s answer, kept when it succeeds. `mark`
    /// is the store's commit mark read before `read` runs.
    pub async fn get_or_read<E, F>(&self, mark: Option<M>, key: K, read: F) -> Result<V, E>
    where
        F: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = mark.and_then(|m| self.get(m, &key)) {
            return Ok(v);
        }
        let v = read.await?;
        if let Some(m) = mark {
            self.put(m, key, v.clone());
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::KeptOnMark;

    #[test]
    fn a_new_mark_forgets_what_an_old_one_kept() {
        let kept: KeptOnMark<i64, &str> = KeptOnMark::default();
        kept.put(1, 7, "seven");
        assert_eq!(kept.get(1, &7), Some("seven"));
        assert_eq!(kept.get(2, &7), None, "read under another mark");
        kept.put(2, 8, "eight");
        assert_eq!(kept.get(2, &7), None, "emptied by the newer mark");
        assert_eq!(kept.get(2, &8), Some("eight"));
        // A value read under an older mark, after a newer one was seen,
        // starts the set again rather than mixing marks.
        kept.put(1, 9, "nine");
        assert_eq!(kept.get(2, &8), None);
    }

    #[tokio::test]
    async fn reads_only_when_nothing_is_kept_and_keeps_only_with_a_mark() {
        let kept: KeptOnMark<i64, i32> = KeptOnMark::default();
        let v: Result<_, ()> = kept.get_or_read(Some(3), 1, async { Ok(10) }).await;
        assert_eq!(v, Ok(10));
        let v: Result<_, ()> = kept.get_or_read(Some(3), 1, async { Ok(11) }).await;
        assert_eq!(v, Ok(10), "kept");
        let v: Result<_, ()> = kept.get_or_read(None, 2, async { Ok(20) }).await;
        assert_eq!(v, Ok(20));
        assert_eq!(kept.get(3, &2), None, "nothing kept without a mark");
        let v: Result<i32, &str> = kept.get_or_read(Some(3), 4, async { Err("down") }).await;
        assert_eq!(v, Err("down"));
        assert_eq!(kept.get(3, &4), None, "a failed read is not kept");
    }
}
