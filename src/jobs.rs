//! Sweeps over every core: independent runs (one per seed) computed on `jobs` threads and
//! handed back in their order as soon as each and all before it are done, so a sweep
//! prints exactly what one thread would, only sooner.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The most threads a sweep accepts (`--jobs`).
pub const MAX_JOBS: usize = 256;

/// Threads to use when none are asked for: every core the system offers (1 if it cannot
/// say).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Computes `work(item)` for every item on up to `jobs` threads, and calls `emit(index,
/// result)` in the items' order, each as soon as it and every earlier one are done. With
/// one job (or one item) everything runs on the calling thread. `emit` returns `false`
/// to stop: nothing more is emitted, and items not yet started are not computed.
///
/// Each item's result must depend on the item alone (not on which thread or in which
/// order it runs) for the output to equal one thread's; every run here owns its trainer
/// and seeded random state, so it does.
pub fn in_order<T, R, W, E>(items: &[T], jobs: usize, work: W, mut emit: E)
where
    T: Sync,
    R: Send,
    W: Fn(&T) -> R + Sync,
    E: FnMut(usize, R) -> bool,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    if jobs == 1 {
        for (i, item) in items.iter().enumerate() {
            if !emit(i, work(item)) {
                return;
            }
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Results arrive in any order; each waits here until those before it are out.
        let mut waiting: Vec<Option<R>> =
            std::iter::repeat_with(|| None).take(items.len()).collect();
        let mut due = 0;
        for (i, result) in rx {
            waiting[i] = Some(result);
            while let Some(ready) = waiting.get_mut(due).and_then(Option::take) {
                if !emit(due, ready) {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                due += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_out_in_order_whatever_the_threads_finish_first() {
        let items: Vec<u64> = (0..40).collect();
        for jobs in [1, 2, 3, 8, 100] {
            let mut out = Vec::new();
            in_order(
                &items,
                jobs,
                |&i| {
                    // Later items finish first.
                    std::thread::sleep(std::time::Duration::from_micros(40 * (40 - i)));
                    i * i
                },
                |index, r| {
                    out.push((index, r));
                    true
                },
            );
            let expected: Vec<(usize, u64)> = items.iter().map(|&i| (i as usize, i * i)).collect();
            assert_eq!(out, expected, "{jobs} jobs");
        }
    }

    #[test]
    fn emit_returning_false_stops_the_output() {
        let items: Vec<u32> = (0..100).collect();
        for jobs in [1, 2] {
            let mut seen = Vec::new();
            in_order(
                &items,
                jobs,
                |&i| i,
                |_, r| {
                    seen.push(r);
                    seen.len() < 3
                },
            );
            assert_eq!(seen, [0, 1, 2], "{jobs} jobs");
        }
    }

    #[test]
    fn no_items_is_no_work() {
        let mut called = false;
        in_order(
            &[] as &[u8],
            4,
            |_| 0,
            |_, _: i32| {
                called = true;
                true
            },
        );
        assert!(!called);
    }
}
