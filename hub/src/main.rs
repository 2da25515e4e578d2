//! `hub`: run the sales gallery radio hub, or mint a tablet's token. See `hub --help`.

fn main() -> std::process::ExitCode {
    hub::cli::main()
}
