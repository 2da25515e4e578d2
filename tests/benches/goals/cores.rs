//! Which core runs what. The side-by-side benchmark measures every server on one core with its
//! load generator on the other (the table: server on CPU 0, load on CPU 1); a part that
//! measures a latency to the millisecond does the same, or the hub's threads and the load's
//! wait for each other's turn on the same two cores and the figure is the scheduler's.
//! `BENCH_PIN=0` leaves everything to the scheduler, as before.

use std::io;

/// The hub's core and the load's.
#[derive(Clone, Copy, Debug)]
pub struct Cores {
    pub hub: usize,
    pub load: usize,
}

impl Cores {
    /// CPU 0 for the hub and CPU 1 for the load, unless `BENCH_PIN=0` or this process may run
    /// on fewer than two of them.
    pub fn split() -> Option<Cores> {
        if crate::knob("BENCH_PIN", 1u8) == 0 {
            return None;
        }
        let allowed = allowed().ok()?;
        (allowed.contains(&0) && allowed.contains(&1)).then_some(Cores { hub: 0, load: 1 })
    }

    pub fn describe(cores: Option<Cores>) -> String {
        match cores {
            Some(c) => format!(
                "the hub on CPU {} and the load on CPU {} (BENCH_PIN=0 to share)",
                c.hub, c.load
            ),
            None => "the hub and the load share the cores (BENCH_PIN)".to_owned(),
        }
    }
}

/// The CPUs this thread may run on. (`integration::pin_to` keeps a thread on one.)
pub fn allowed() -> io::Result<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity writes at most its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect())
    }
}
