//! `hub`: run the sales gallery radio hub, or mint a tablet's token. See `hub --help`.

#[global_allocator]
static ALLOCATOR: hub::Allocator = hub::Allocator;

fn main() -> std::process::ExitCode {
    hub::cli::main()
}
