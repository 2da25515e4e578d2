//! The `hub` command line, built inside the test crate so tests can run it as a process.

#[global_allocator]
static ALLOCATOR: hub::Allocator = hub::Allocator;

fn main() -> std::process::ExitCode {
    hub::cli::main()
}
