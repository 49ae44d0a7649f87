//! Work split over the machine's cores, its results kept in order: the command line
//! reads and writes CSV of a million rows in parts, each part made on its own thread and
//! written (or joined) in the order of the parts, so that the bytes are those one thread
//! would make.

use std::sync::mpsc::sync_channel;

/// The threads worth starting: the machine's cores.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Makes every part `0..parts` (`make(i)`) over up to [`threads`] threads and hands each
/// to `take` in order, as soon as it and every part before it are made: a thread is at
/// most one part ahead of the writer, so memory is bounded by a few parts, not by the
/// whole. The first error of `take` stops the work (parts not yet made are not made) and
/// is returned. One part, or one core, runs on the calling thread alone.
pub(crate) fn ordered<T: Send, E>(
    parts: usize,
    make: impl Fn(usize) -> T + Sync,
    mut take: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let workers = threads().min(parts);
    if workers <= 1 {
        for i in 0..parts {
            take(make(i))?;
        }
        return Ok(());
    }
    let make = &make;
    std::thread::scope(|s| {
        let made: Vec<_> = (0..workers)
            .map(|w| {
                let (tx, rx) = sync_channel(1);
                s.spawn(move || {
                    for i in (w..parts).step_by(workers) {
                        // The taker stopped (an error): make nothing more.
                        if tx.send(make(i)).is_err() {
                            return;
                        }
                    }
                });
                rx
            })
            .collect();
        for i in 0..parts {
            match made[i % workers].recv() {
                Ok(part) => take(part)?,
                // The worker panicked: the scope rethrows its panic on the way out.
                Err(_) => break,
            }
        }
        Ok(())
    })
}

/// Every part `0..parts` made over up to [`threads`] threads, in order.
pub(crate) fn collect<T: Send>(parts: usize, make: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut out = Vec::with_capacity(parts);
    let _ = ordered(parts, make, |t| {
        out.push(t);
        Ok::<(), ()>(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_in_order_and_an_error_stops_the_work() {
        assert_eq!(
            collect(100, |i| i * i),
            (0..100).map(|i| i * i).collect::<Vec<_>>()
        );
        let mut seen = Vec::new();
        let r = ordered(
            50,
            |i| i,
            |i| {
                seen.push(i);
                if i == 7 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(r, Err(7));
        assert_eq!(seen, (0..=7).collect::<Vec<_>>());
        assert!(collect(0, |i| i).is_empty());
    }
}
