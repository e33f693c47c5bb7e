//! `host-harness`: run picker policies against scenarios from the command
//! line. See `host-harness --help`.

mod cli;

/// A pick allocates many small, short-lived strings on the host (store rows,
/// the lifted answer); mimalloc serves them faster than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::main());
}
