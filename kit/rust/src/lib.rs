//! Write a picker policy for the emailgen host in Rust.
//!
//! A policy decides one thing per tick: which mail decky, sender and
//! recipient, and whether to reply on an existing thread or start a new one.
//! It is a type that implements [`Policy`]; [`export_policy!`] makes it the
//! component's `pick`; the helpers on [`Tick`] do what every policy does the
//! way the host expects it (mail deckies, persona sources, active hours, a
//! sender and recipient, a new thread, a reply with its `References` and
//! subject), so a policy writes only what it means to change.
//!
//! ```
//! use emailgen_policy::{Outcome, PickError, PickerHost, Policy, SkipReason, Tick};
//!
//! /// Always starts a new thread: never replies.
//! #[derive(Default)]
//! pub struct NeverReplies;
//!
//! impl Policy for NeverReplies {
//!     fn pick<H: PickerHost>(&mut self, tick: &mut Tick<'_, H>) -> Result<Outcome<H::Persona>, PickError> {
//!         let Some(decky) = tick.choose_mail_decky()? else {
//!             return Ok(Outcome::Skip { reason: SkipReason::NoMailDecky });
//!         };
//!         let (personas, source) = tick.personas(&decky)?;
//!         if personas.len() < 2 {
//!             return Ok(tick.too_few_personas(&source, &decky, personas.len()));
//!         }
//!         match tick.choose_pair(&personas) {
//!             Pair::Chosen(sender, recipient) => {
//!                 let action = tick.new_thread(&decky, sender, recipient);
//!                 Ok(Outcome::Action { action })
//!             }
//!             Pair::TooFewActive(count) => Ok(tick.too_few_active(&source, &decky, count)),
//!         }
//!     }
//! }
//! # use emailgen_policy::Pair;
//!
//! // In the policy crate (a `cdylib` built for wasm32-wasip2):
//! // emailgen_policy::export_policy!(NeverReplies);
//! ```
//!
//! The same policy runs natively against scenario files (SPEC §7) with
//! [`testing`], so its tests need no Wasm. The book's "Writing a policy"
//! chapter (`docs/writing-a-policy.md`) says what the host checks and
//! how `host-harness new`, `build` and `check` fit together.
//!
//! | this crate | WIT package | hosts |
//! |---|---|---|
//! | 0.1 | `decnet:emailgen@0.2.2` | emailgen-host 0.1 (accepts 0.2.0 – 0.2.2) |

#![warn(missing_docs)]

// Lets the generated bindings name this crate the way other crates do.
extern crate self as emailgen_policy;

pub mod cache;
pub mod draw;
pub mod host;
pub mod memory;
pub mod tick;

#[cfg(target_arch = "wasm32")]
pub mod component;

#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use emailgen_domain::{self as domain, active_hours, outcome, persona, store, threads};
pub use emailgen_domain::{
    Decky, EmailAction, ErrorKind, LogLevel, MailStore, Outcome, Persona, PersonaSummary, PersonaView, PickError,
    PickOptions, ReplyLatency, Shortage, SkipReason, StoreError, Subject, ThreadRow, Tone, Topology,
};
pub use host::PickerHost;
pub use memory::MemoryHost;
pub use tick::{Pair, PickRng, Tick, CONTEXT_HINTS, REPLY_PROBABILITY};

use cache::HostCache;

/// A picker policy: what it decides on one tick.
///
/// The policy's own fields live as long as its instance (a warm instance
/// keeps them between picks; a fresh one starts from [`Default`]). What it
/// reads of the host's data is cached for it by the [`Tick`]'s helpers.
pub trait Policy: Default + 'static {
    /// Decides one tick: an action, a skip, or an error (a store failure,
    /// bad options). `tick` holds the host, the random source seeded from
    /// the pick's seed, and the tick's time.
    fn pick<H: PickerHost>(&mut self, tick: &mut Tick<'_, H>) -> Result<Outcome<H::Persona>, PickError>;
}

/// A policy and what its helpers keep of the host's data between picks:
/// what lives in one instance. `P` is the persona type of its host's picks
/// (see [`PickerHost::Persona`]).
pub struct Instance<T, P = Persona> {
    /// The policy's own state.
    pub policy: T,
    /// What the helpers cached (deckies, parsed personas, a buffer).
    pub cache: HostCache<P>,
}

impl<T: Default, P> Default for Instance<T, P> {
    fn default() -> Self {
        Instance { policy: T::default(), cache: HostCache::default() }
    }
}

impl<T: Policy, P: PersonaView + for<'a> From<&'a Persona>> Instance<T, P> {
    /// One pick: the options checked, the tick started, the policy asked.
    /// A policy's `Err` becomes the outcome's error.
    pub fn pick<H: PickerHost<Persona = P>>(&mut self, host: &mut H, options: &PickOptions) -> Outcome<P> {
        let result = Tick::start(host, &mut self.cache, options).and_then(|mut tick| self.policy.pick(&mut tick));
        result.unwrap_or_else(|error| Outcome::Error { error })
    }
}

/// Exports a [`Policy`] type as the component's `pick`. Its instance (the
/// policy's fields and the helpers' cache) lives as long as the Wasm
/// instance. Use it once, in the policy crate's `lib.rs`, for Wasm builds:
///
/// ```ignore
/// #[cfg(target_arch = "wasm32")]
/// emailgen_policy::export_policy!(MyPolicy);
/// ```
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        $crate::export_policy_logic!($crate::Instance<$policy, $crate::PersonaSummary>);
    };
}

/// Exports a `component::PolicyLogic` type (a policy written against the
/// raw WIT imports) as the component's `pick`. Most policies want
/// [`export_policy!`].
#[macro_export]
macro_rules! export_policy_logic {
    ($logic:ty) => {
        thread_local! {
            static POLICY: ::std::cell::RefCell<$logic> = ::std::cell::RefCell::new(::std::default::Default::default());
        }
        struct Component;
        impl $crate::component::bindings::Guest for Component {
            fn pick(options: $crate::component::wit::PickOptions) -> $crate::component::wit::PickOutcome {
                $crate::component::run_pick(&POLICY, options)
            }
        }
        $crate::component::bindings::export_picker_world!(Component with_types_in $crate::component::bindings);
    };
}
