//! The WASI a picker policy gets: randomness, clocks, and empty stdio,
//! environment and arguments. No filesystem, no sockets.
//!
//! `wasmtime_wasi::p2::add_to_linker_sync` would link the filesystem and
//! sockets too, so the interfaces are linked one by one here.

use wasmtime::component::{HasData, Linker, ResourceTable};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::p2::bindings::sync;
use wasmtime_wasi::random::WasiRandom;
use wasmtime_wasi::{WasiCtx, WasiView};

use crate::stdio::GuestOutput;

/// The WASI interfaces a policy may import. Anything else is refused when
/// the policy is loaded.
pub const ALLOWED_WASI: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

/// A WASI context with nothing in it: no arguments, no environment, no
/// preopened directories, and an empty stdin. Stdout and stderr go to the
/// host's log, bounded.
pub fn sandbox_ctx(stdout: &GuestOutput, stderr: &GuestOutput) -> WasiCtx {
    WasiCtx::builder().stdout(stdout.clone()).stderr(stderr.clone()).build()
}

struct HasIo;

impl HasData for HasIo {
    type Data<'a> = &'a mut ResourceTable;
}

/// Links exactly the interfaces of [`ALLOWED_WASI`].
pub fn add_to_linker<T: WasiView + 'static>(l: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi_io::bindings::wasi::io::error::add_to_linker::<T, HasIo>(l, |t| t.ctx().table)?;
    sync::io::poll::add_to_linker::<T, HasIo>(l, |t| t.ctx().table)?;
    sync::io::streams::add_to_linker::<T, HasIo>(l, |t| t.ctx().table)?;
    sync::clocks::wall_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    sync::clocks::monotonic_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    sync::random::random::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    sync::random::insecure::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    sync::random::insecure_seed::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    sync::cli::exit::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::environment::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_input::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_output::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    Ok(())
}
