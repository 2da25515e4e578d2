//! Finding headless Chromium, its WebDriver (chromedriver) and a CJK font — and installing them
//! from Debian's packages when they are missing and the tests run as root.
//!
//! A browser test never passes by skipping: without a browser it fails, naming the one command
//! that installs one. The install runs at most once per process (a `OnceLock`) and once per
//! machine at a time (an `flock` on a file in the temp folder), since cargo runs test binaries
//! one after another but each binary's tests in parallel threads.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Debian's packages for a headless browser test: the browser, its WebDriver, a font with the
/// Chinese glyphs (without one every 汉字 renders as a box), and `fc-list` to check for it.
pub const PACKAGES: [&str; 4] = [
    "chromium",
    "chromium-driver",
    "fonts-noto-cjk",
    "fontconfig",
];

/// Where the browser and its driver are.
#[derive(Clone, Debug)]
pub struct Installed {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// The one command that installs everything the browser tests need, as a person would type it.
pub fn install_command() -> String {
    format!(
        "sudo apt-get install -y --no-install-recommends {}",
        PACKAGES.join(" ")
    )
}

/// Chromium, chromedriver and a CJK font: found, or installed (as root), or an error that says
/// how to install them. Called by every browser session; does the work once per process.
pub fn ensure() -> Result<Installed, String> {
    static ONCE: OnceLock<Result<Installed, String>> = OnceLock::new();
    ONCE.get_or_init(|| {
        if let Some(found) = find() {
            return Ok(found);
        }
        if !is_root() {
            return Err(missing_message());
        }
        let _lock = InstallLock::take()?;
        // Another test binary may have installed them while this one waited for the lock.
        if let Some(found) = find() {
            return Ok(found);
        }
        install()?;
        find().ok_or_else(|| {
            format!(
                "apt-get installed {} but the browser, its driver or a CJK font is still missing; {}",
                PACKAGES.join(" "),
                missing_message()
            )
        })
    })
    .clone()
}

fn missing_message() -> String {
    let mut missing = Vec::new();
    if which(&["chromium", "chromium-browser"]).is_none() {
        missing.push("chromium");
    }
    if which(&["chromedriver"]).is_none() {
        missing.push("chromedriver (chromium-driver)");
    }
    if !has_cjk_font() {
        missing.push("a Chinese font (fonts-noto-cjk)");
    }
    format!(
        "the browser tests need headless Chromium, its driver and a Chinese font; missing: {}. \
         Install them with:\n\n    {}\n\n(as root the tests install them themselves)",
        missing.join(", "),
        install_command()
    )
}

/// Debian's Chromium itself, past the `/usr/bin/chromium` launcher script, which adds flags of
/// its own (remote extensions, GPU rasterization) that a test does not want.
const DEBIAN_CHROMIUM: &str = "/usr/lib/chromium/chromium";

fn find() -> Option<Installed> {
    let chromium = Some(PathBuf::from(DEBIAN_CHROMIUM))
        .filter(|p| is_executable(p))
        .or_else(|| which(&["chromium", "chromium-browser"]))?;
    let chromedriver = which(&["chromedriver"])?;
    has_cjk_font().then_some(Installed {
        chromium,
        chromedriver,
    })
}

/// The first of `names` found on `PATH` (and in `/usr/bin`, which a test's `PATH` may lack).
fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]);
    let dirs: Vec<PathBuf> = dirs.collect();
    names
        .iter()
        .find_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| is_executable(p)))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether fontconfig knows a font that covers Chinese.
fn has_cjk_font() -> bool {
    Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `apt-get install`, and if that fails (package lists never fetched, or stale), `apt-get
/// update` and once more.
fn install() -> Result<(), String> {
    eprintln!(
        "browser tests: installing {} with apt-get (once per machine)…",
        PACKAGES.join(" ")
    );
    let started = std::time::Instant::now();
    let first = apt(&["install", "-y", "--no-install-recommends"], &PACKAGES)?;
    if !first.status.success() {
        let update = apt(&["update"], &[])?;
        if !update.status.success() {
            return Err(format!(
                "apt-get update failed:\n{}\nInstall the browser by hand: {}",
                tail(&update),
                install_command()
            ));
        }
        let second = apt(&["install", "-y", "--no-install-recommends"], &PACKAGES)?;
        if !second.status.success() {
            return Err(format!(
                "apt-get install failed:\n{}\nInstall the browser by hand: {}",
                tail(&second),
                install_command()
            ));
        }
    }
    eprintln!(
        "browser tests: installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn apt(args: &[&str], packages: &[&str]) -> Result<Output, String> {
    Command::new("apt-get")
        .args(args)
        .args(packages)
        // Wait for another apt (unattended upgrades) rather than fail at once.
        .args(["-o", "DPkg::Lock::Timeout=300", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .map_err(|e| {
            format!(
                "cannot run apt-get ({e}); install the browser by hand: {}",
                install_command()
            )
        })
}

/// The end of a command's output, for an error message.
fn tail(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// An exclusive `flock` on a file in the temp folder, held while installing, so that two test
/// binaries run at once (or two checkouts on one machine) never run apt-get together.
struct InstallLock(std::fs::File);

impl InstallLock {
    fn take() -> Result<InstallLock, String> {
        use std::os::fd::AsRawFd;
        let path = std::env::temp_dir().join("radio-hub-browser-install.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        // SAFETY: the descriptor is open for the life of `file`; flock only blocks.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(format!(
                "cannot lock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            ));
        }
        Ok(InstallLock(file))
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above; closing the file would release it too.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_names_the_one_command_that_installs_everything() {
        let command = super::install_command();
        assert_eq!(
            command,
            "sudo apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk fontconfig"
        );
        assert!(super::missing_message().contains(&command));
    }
}
