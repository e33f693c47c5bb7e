//! `host-harness`: run picker policies against scenarios from the command
//! line. See `host-harness --help`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
