//! A sleep to the microsecond for the open-loop pacers. tokio's timer rounds every deadline up to
//! the next millisecond, so a call "due" at t went out up to a millisecond later and the wait was
//! counted as the hub's: at the durable goal's scale (≤ 1 ms) that would be most of the figure. A
//! `timerfd` registered with tokio's reactor wakes at the deadline itself.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::time::Instant;

pub struct Timer(AsyncFd<OwnedFd>);

impl Timer {
    pub fn new() -> io::Result<Timer> {
        // SAFETY: timerfd_create takes no pointers; a negative result is an error, checked.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: the AsyncFd owns the descriptor and keeps it open while registered.
        Ok(Timer(unsafe {
            AsyncFd::register_with_interest(fd, Interest::READABLE)
        }?))
    }

    /// Returns at `deadline` (at once if it has passed).
    pub async fn sleep_until(&self, deadline: Instant) -> io::Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        let fd = self.0.get_ref().as_raw_fd();
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let spec = libc::itimerspec {
            it_interval: zero,
            it_value: libc::timespec {
                tv_sec: left.as_secs() as libc::time_t,
                tv_nsec: left.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: `spec` is a valid itimerspec for the call; the old value is not asked for.
        if unsafe { libc::timerfd_settime(fd, 0, &spec, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        loop {
            let mut ready = self.0.readable().await?;
            let mut count = [0u8; 8];
            // SAFETY: reads at most 8 bytes into `count`, which has 8.
            let read =
                ready.try_io(
                    |_| match unsafe { libc::read(fd, count.as_mut_ptr().cast(), 8) } {
                        n if n < 0 => Err(io::Error::last_os_error()),
                        _ => Ok(()),
                    },
                );
            if let Ok(done) = read {
                return done;
            }
        }
    }
}
