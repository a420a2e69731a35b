//! The caches of a batch, behind one owner: shaped words, shaping plans,
//! hyphenation, font subsets, compressed font files, glyph outlines and
//! images, and spare buffers. Each kind of entry is a `Kind`; all kinds share
//! one memory bound and one eviction policy: when what they hold together
//! passes the bound, the kinds holding the most start over empty, largest
//! first, until the caches hold at most half the bound. The kinds that fill
//! up (font subsets: a batch of many audiences has many glyph sets) go first,
//! and small costly ones (hyphenation dictionaries, shaping plans) stay.
//!
//! A `Caches` lives in the `Project` (one per loaded project, so a rebuild in
//! `watch` starts afresh) and every job reaches it from there.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

/// One kind of cached entry: its key, its value (handed out as a clone, so
/// usually an `Arc`), and what an entry costs against the bound.
pub trait Kind: 'static {
    type Key: Hash + Eq + Send + 'static;
    type Value: Clone + Send + 'static;
    /// Roughly the bytes one entry holds.
    fn cost(key: &Self::Key, value: &Self::Value) -> usize;
}

/// FxHash: lookups are per word and per glyph, and the keys are our own.
type Map<K> = HashMap<<K as Kind>::Key, <K as Kind>::Value, rustc_hash::FxBuildHasher>;

/// One kind's entries, what they cost, and how to empty them without knowing
/// their types.
struct Slot {
    kind: TypeId,
    entries: Box<dyn Any + Send + Sync>,
    used: AtomicUsize,
    clear: fn(&(dyn Any + Send + Sync)),
}

/// How many spare objects of one type are kept for reuse.
const SPARES_PER_TYPE: usize = 16;

/// Everything a batch remembers between jobs. See the module's doc.
pub struct Caches {
    bound: usize,
    used: AtomicUsize,
    slots: RwLock<Vec<Slot>>,
    /// Objects worth reusing rather than making again (a preview's pixel
    /// buffer, a zlib compressor), by type.
    spares: Mutex<HashMap<TypeId, Vec<Box<dyn Any + Send>>>>,
}

impl Default for Caches {
    fn default() -> Caches {
        Caches::with_bound(Caches::DEFAULT_BOUND)
    }
}

impl Caches {
    /// The bound a project's caches get: enough for the vocabulary, glyphs and
    /// subsets of a large batch, small beside the 100 MB a batch of 10,000
    /// audiences may peak at. (1,000 audiences without previews, one set of
    /// interleaved runs: 1.88 s at 16 MB, 2.63 s at 24 MB.)
    pub const DEFAULT_BOUND: usize = 16 << 20;

    /// Caches that together hold at most about `bound` bytes.
    pub fn with_bound(bound: usize) -> Caches {
        Caches {
            bound,
            used: AtomicUsize::new(0),
            slots: RwLock::new(Vec::new()),
            spares: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` on kind `K`'s entries (made empty the first time), with what
    /// they cost.
    fn with<K: Kind, R>(&self, f: impl FnOnce(&mut Map<K>, &AtomicUsize) -> R) -> R {
        fn lock<K: Kind>(slot: &Slot) -> MutexGuard<'_, Map<K>> {
            slot.entries
                .downcast_ref::<Mutex<Map<K>>>()
                .expect("a slot holds the kind it is filed under")
                .lock()
                .unwrap_or_else(|e| e.into_inner())
        }
        let kind = TypeId::of::<K>();
        {
            let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
            if let Some(slot) = slots.iter().find(|s| s.kind == kind) {
                return f(&mut lock::<K>(slot), &slot.used);
            }
        }
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        if !slots.iter().any(|s| s.kind == kind) {
            slots.push(Slot {
                kind,
                entries: Box::new(Mutex::new(Map::<K>::default())),
                used: AtomicUsize::new(0),
                clear: |entries| {
                    if let Some(m) = entries.downcast_ref::<Mutex<Map<K>>>() {
                        m.lock().unwrap_or_else(|e| e.into_inner()).clear();
                    }
                },
            });
        }
        let slot = slots.iter().find(|s| s.kind == kind).expect("just added");
        f(&mut lock::<K>(slot), &slot.used)
    }

    /// The entry for `key`, if there is one.
    pub fn get<K: Kind>(&self, key: &K::Key) -> Option<K::Value> {
        self.with::<K, _>(|m, _| m.get(key).cloned())
    }

    /// Whether there is an entry for `key`.
    pub fn contains<K: Kind>(&self, key: &K::Key) -> bool {
        self.with::<K, _>(|m, _| m.contains_key(key))
    }

    /// Keeps `value` for `key`. When the caches then hold more than their
    /// bound, the kinds holding the most start over (see the module's doc).
    pub fn insert<K: Kind>(&self, key: K::Key, value: K::Value) {
        let cost = K::cost(&key, &value);
        // Two threads may make the same entry at once: it is counted once.
        let new = self.with::<K, _>(|m, used| {
            let new = m.insert(key, value).is_none();
            if new {
                used.fetch_add(cost, Ordering::Relaxed);
            }
            new
        });
        if new && self.used.fetch_add(cost, Ordering::Relaxed) + cost > self.bound {
            self.evict();
        }
    }

    /// Empties the kinds holding the most, largest first, until the caches
    /// hold at most half their bound.
    fn evict(&self) {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        let mut by_size: Vec<&Slot> = slots.iter().collect();
        by_size.sort_by_key(|s| std::cmp::Reverse(s.used.load(Ordering::Relaxed)));
        for slot in by_size {
            if self.used.load(Ordering::Relaxed) <= self.bound / 2 {
                break;
            }
            (slot.clear)(slot.entries.as_ref());
            let freed = slot.used.swap(0, Ordering::Relaxed);
            let _ = self
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                    Some(u.saturating_sub(freed))
                });
        }
    }

    /// The entry for `key`, made by `make` (outside any lock) when there is none.
    pub fn get_or_make<K: Kind>(
        &self,
        key: K::Key,
        make: impl FnOnce(&K::Key) -> K::Value,
    ) -> K::Value {
        if let Some(hit) = self.get::<K>(&key) {
            return hit;
        }
        let value = make(&key);
        self.insert::<K>(key, value.clone());
        value
    }

    /// Like `get_or_make`, for a `make` that can fail (nothing is kept then).
    pub fn try_get_or_make<K: Kind, E>(
        &self,
        key: K::Key,
        make: impl FnOnce(&K::Key) -> Result<K::Value, E>,
    ) -> Result<K::Value, E> {
        if let Some(hit) = self.get::<K>(&key) {
            return Ok(hit);
        }
        let value = make(&key)?;
        self.insert::<K>(key, value.clone());
        Ok(value)
    }

    /// Roughly how many bytes the caches hold now.
    #[cfg(test)]
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// A spare `T` kept by `keep_spare`, if there is one.
    pub fn spare<T: Send + 'static>(&self) -> Option<T> {
        let mut spares = self.spares.lock().unwrap_or_else(|e| e.into_inner());
        let kept = spares.get_mut(&TypeId::of::<T>())?.pop()?;
        kept.downcast::<T>().ok().map(|b| *b)
    }

    /// Keeps `value` for the next `spare::<T>()` (a few per type; more are dropped).
    pub fn keep_spare<T: Send + 'static>(&self, value: T) {
        let mut spares = self.spares.lock().unwrap_or_else(|e| e.into_inner());
        let kept = spares.entry(TypeId::of::<T>()).or_default();
        if kept.len() < SPARES_PER_TYPE {
            kept.push(Box::new(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    struct Words;
    impl Kind for Words {
        type Key = String;
        type Value = Arc<str>;
        fn cost(key: &String, value: &Arc<str>) -> usize {
            key.len() + value.len()
        }
    }

    struct Squares;
    impl Kind for Squares {
        type Key = u32;
        type Value = u64;
        fn cost(_: &u32, _: &u64) -> usize {
            12
        }
    }

    #[test]
    fn kinds_are_kept_apart_and_made_once() {
        let c = Caches::with_bound(1 << 20);
        let mut made = 0;
        for _ in 0..3 {
            let v = c.get_or_make::<Squares>(7, |k| {
                made += 1;
                u64::from(*k) * u64::from(*k)
            });
            assert_eq!(v, 49);
        }
        assert_eq!(made, 1);
        assert!(c.get::<Words>(&"7".to_string()).is_none());
        c.insert::<Words>("a".into(), "b".into());
        assert_eq!(c.get::<Words>(&"a".to_string()).as_deref(), Some("b"));
        assert!(c.contains::<Squares>(&7));
        assert_eq!(c.used(), 12 + 2);
    }

    #[test]
    fn past_the_bound_the_largest_kinds_start_over() {
        let c = Caches::with_bound(100);
        c.insert::<Squares>(1, 1);
        for i in 0..10 {
            c.insert::<Words>(format!("word{i}"), "x".repeat(5).into());
        }
        assert!(c.used() <= 50, "{}", c.used());
        // The words (the most bytes) went; the one small entry stayed.
        assert!(c.contains::<Squares>(&1));
        assert!(!c.contains::<Words>(&"word0".to_string()));
        c.insert::<Words>("after".into(), "y".into());
        assert!(c.contains::<Words>(&"after".to_string()));
        // Past the bound again with squares alone: they go too.
        for i in 2..20 {
            c.insert::<Squares>(i, 1);
        }
        assert!(c.used() <= 100);
    }

    #[test]
    fn a_failed_make_keeps_nothing() {
        let c = Caches::default();
        let r: Result<u64, &str> = c.try_get_or_make::<Squares, _>(3, |_| Err("no"));
        assert!(r.is_err());
        assert!(!c.contains::<Squares>(&3));
    }

    #[test]
    fn spares_come_back_by_type() {
        let c = Caches::default();
        assert!(c.spare::<Vec<u8>>().is_none());
        c.keep_spare(vec![1u8, 2, 3]);
        c.keep_spare(String::from("s"));
        assert_eq!(c.spare::<Vec<u8>>(), Some(vec![1, 2, 3]));
        assert!(c.spare::<Vec<u8>>().is_none());
        assert_eq!(c.spare::<String>().as_deref(), Some("s"));
        for _ in 0..100 {
            c.keep_spare(0u8);
        }
        let mut n = 0;
        while c.spare::<u8>().is_some() {
            n += 1;
        }
        assert_eq!(n, SPARES_PER_TYPE);
    }

    #[test]
    fn threads_share_one_cache() {
        let c = Caches::default();
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let c = &c;
                s.spawn(move || {
                    for i in 0..1000u32 {
                        let k = (i + t) % 50;
                        assert_eq!(
                            c.get_or_make::<Squares>(k, |k| u64::from(*k) * 2),
                            u64::from(k) * 2
                        );
                    }
                });
            }
        });
        assert_eq!(c.used(), 50 * 12, "each key counted once");
    }
}
