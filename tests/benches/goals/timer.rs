//! A clock to the microsecond for the open-loop pacers. tokio's timer rounds every deadline up to
//! the next millisecond, so a call "due" at t went out up to a millisecond later and the wait was
//! counted as the hub's: at the durable goal's scale (≤ 1 ms) that would be most of the figure. A
//! periodic `timerfd` registered with tokio's reactor wakes at each period's end itself.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use std::time::Duration;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

pub struct Timer(AsyncFd<OwnedFd>);

impl Timer {
    /// A timer that falls due every `period` from now on, armed once: the pacer then makes no
    /// system call per call to set its next deadline (on a virtual machine each
    /// `timerfd_settime` is a trip to the hypervisor, and at thousands of calls a second they
    /// were an eighth of the load's CPU).
    pub fn every(period: Duration) -> io::Result<Timer> {
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
        let period = period.max(Duration::from_nanos(1));
        let every = libc::timespec {
            tv_sec: period.as_secs() as libc::time_t,
            tv_nsec: period.subsec_nanos() as libc::c_long,
        };
        let spec = libc::itimerspec {
            it_interval: every,
            it_value: every,
        };
        // SAFETY: `spec` is a valid itimerspec for the call; the old value is not asked for.
        if unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the AsyncFd owns the descriptor and keeps it open while registered.
        Ok(Timer(unsafe {
            AsyncFd::register_with_interest(fd, Interest::READABLE)
        }?))
    }

    /// Waits for the next period's end; how many ended since the last call (more than one
    /// when the caller was late).
    pub async fn tick(&self) -> io::Result<u64> {
        let fd = self.0.get_ref().as_raw_fd();
        loop {
            let mut ready = self.0.readable().await?;
            let mut count = [0u8; 8];
            // SAFETY: reads at most 8 bytes into `count`, which has 8.
            let read =
                ready.try_io(
                    |_| match unsafe { libc::read(fd, count.as_mut_ptr().cast(), 8) } {
                        n if n < 0 => Err(io::Error::last_os_error()),
                        _ => Ok(u64::from_ne_bytes(count)),
                    },
                );
            if let Ok(ticks) = read {
                return ticks;
            }
        }
    }
}
