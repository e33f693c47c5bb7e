//! What a policy instance keeps of the host's data between picks.
//!
//! Hosts that offer fingerprints (the Wasm host does; see the WIT `store`
//! interface) let the policy ask "has this changed?" for a `u64` instead of
//! copying the decky list and persona texts across the sandbox boundary on
//! every tick. Without fingerprints the data is fetched each time and only
//! the persona parse is cached (by exact text).
//!
//! Hosts that parse persona lists themselves (the Wasm host does since WIT
//! 0.2.1: `topology-personas`, `global-pool-personas`) hand over their
//! parse; the policy then never sees the JSON, which was most of what a
//! fresh instance cost.
//!
//! Hosts that offer random access to the decky listing (WIT 0.2.2:
//! `running-decky-count`, `running-decky-at`) let an instance's first pick
//! copy only the decky it chose instead of the whole list; see
//! [`HostCache::choose_mail_decky`].

use std::ops::Deref;
use std::sync::Arc;

use rand::Rng;

use emailgen_domain::outcome::{store_failure, ErrorKind, PickError};
use emailgen_domain::persona::{Persona, GLOBAL_LANGUAGE_DEFAULT};
use emailgen_domain::persona_cache::PersonaCache;
use emailgen_domain::{Decky, LogLevel, MAIL_SERVICES};

use crate::draw::choose_index;
use crate::host::PickerHost;

/// How many topologies are remembered before the list starts over.
const MAX_TOPOLOGIES: usize = 256;

/// Personas and the source label they were resolved under.
pub type PersonaSource<P> = (Arc<[P]>, String);

/// `P` is the persona type of the host's picks ([`PickerHost::Persona`]).
pub struct HostCache<P = Persona> {
    /// The mail deckies and the fingerprint they were listed under.
    deckies: Option<(u64, Arc<[Decky]>)>,
    /// (topology id, fingerprint, its personas).
    topologies: Vec<(String, u64, Arc<[P]>)>,
    /// The global pool's fingerprint and personas.
    global: Option<(u64, Arc<[P]>)>,
    /// Parsed persona lists by exact text (for hosts without fingerprints,
    /// and to share a parse between topologies with the same list).
    pub personas: PersonaCache<P>,
    /// Whether a mail decky was chosen through this cache before.
    chose_before: bool,
    /// Positions of the active personas, reused by every pick (see
    /// [`crate::draw::active_into`]).
    pub active: Vec<u32>,
}

impl<P> Default for HostCache<P> {
    fn default() -> Self {
        HostCache {
            deckies: None,
            topologies: Vec::new(),
            global: None,
            personas: PersonaCache::default(),
            chose_before: false,
            active: Vec::new(),
        }
    }
}

/// The mail decky a pick runs on: a position in the listed mail deckies, or
/// the one decky the host gave by position.
pub enum ChosenDecky {
    /// A position in the listed mail deckies (kept by the cache).
    Listed(Arc<[Decky]>, usize),
    /// The one decky a host gave by position (an instance's first pick).
    Given(Decky),
}

impl Deref for ChosenDecky {
    type Target = Decky;

    fn deref(&self) -> &Decky {
        match self {
            ChosenDecky::Listed(deckies, index) => &deckies[*index],
            ChosenDecky::Given(decky) => decky,
        }
    }
}

impl<P> HostCache<P> {
    /// Steps 1–2: a mail decky chosen uniformly with `rng`; `None` when no
    /// running decky offers `imap` or `pop3`.
    ///
    /// The first choice through an empty cache asks a host that offers
    /// random access for the count and then for the chosen decky alone: an
    /// instance that makes one pick (a fresh instance per tick) copies one
    /// decky across the boundary instead of all of them. Later choices list
    /// the mail deckies and keep them under their fingerprint, so a warm
    /// instance asks only whether they changed. Both ways draw the same
    /// position from `rng`, so a seed chooses the same decky either way.
    pub fn choose_mail_decky(
        &mut self,
        host: &mut impl PickerHost,
        rng: &mut impl Rng,
    ) -> Result<Option<ChosenDecky>, PickError> {
        let first_choice = !std::mem::replace(&mut self.chose_before, true);
        if first_choice && self.deckies.is_none() {
            if let Some(count) = host.running_decky_count(&MAIL_SERVICES) {
                let count = count.map_err(store_failure("running-decky-count"))?;
                return decky_by_position(host, rng, count);
            }
        }
        let deckies = self.mail_deckies(host)?;
        if deckies.is_empty() {
            return Ok(None);
        }
        let index = choose_index(rng, deckies.len());
        Ok(Some(ChosenDecky::Listed(deckies, index)))
    }

    /// Step 1: the running deckies that offer `imap` or `pop3`. The host is
    /// asked for those only; the filter is applied again here so a host
    /// that ignores it changes nothing.
    pub fn mail_deckies(&mut self, host: &mut impl PickerHost) -> Result<Arc<[Decky]>, PickError> {
        let fingerprint =
            host.running_deckies_fingerprint(&MAIL_SERVICES).map_err(store_failure("running-deckies-fingerprint"))?;
        if let (Some(fp), Some((known, deckies))) = (fingerprint, &self.deckies) {
            if fp == *known {
                return Ok(Arc::clone(deckies));
            }
        }
        let listed = host.list_running_deckies(&MAIL_SERVICES).map_err(store_failure("list-running-deckies"))?;
        let deckies: Arc<[Decky]> = listed.into_iter().filter(Decky::is_mail_decky).collect();
        self.deckies = fingerprint.map(|fp| (fp, Arc::clone(&deckies)));
        Ok(deckies)
    }
}

/// One of `count` mail deckies, asked for by position. The listing path
/// filters what the host lists again; here a decky that is not a mail decky
/// (a host ignoring the filter in its count) cannot be put back, so it ends
/// the pick as a store error instead of choosing from the wrong list.
fn decky_by_position(
    host: &mut impl PickerHost,
    rng: &mut impl Rng,
    count: u32,
) -> Result<Option<ChosenDecky>, PickError> {
    if count == 0 {
        return Ok(None);
    }
    let index = choose_index(rng, count as usize) as u32;
    match host.running_decky_at(&MAIL_SERVICES, index).map_err(store_failure("running-decky-at"))? {
        Some(decky) if decky.is_mail_decky() => Ok(Some(ChosenDecky::Given(decky))),
        Some(decky) => Err(PickError::new(
            ErrorKind::Store,
            format!("running-decky-at failed: decky {} at position {index} offers neither imap nor pop3", decky.uuid),
        )),
        None => Err(PickError::new(
            ErrorKind::Store,
            format!("running-decky-at failed: no decky at position {index} of the {count} counted"),
        )),
    }
}

impl<P: for<'a> From<&'a Persona>> HostCache<P> {
    /// Step 3: the personas of a mail decky and the source label they came
    /// from. Topology deckies use their own topology's list; every other
    /// source shares the host-wide global pool. The two never mix.
    pub fn personas_for<H: PickerHost<Persona = P>>(
        &mut self,
        host: &mut H,
        decky: &Decky,
    ) -> Result<PersonaSource<P>, PickError> {
        let source = decky.source_label();
        let personas = if source == "topology" {
            match decky.topology_id.as_deref().filter(|id| !id.is_empty()) {
                Some(id) => self.topology_personas(host, id, decky)?,
                None => Arc::from([]),
            }
        } else {
            self.global_personas(host, decky)?
        };
        Ok((personas, source))
    }

    fn topology_personas<H: PickerHost<Persona = P>>(
        &mut self,
        host: &mut H,
        id: &str,
        decky: &Decky,
    ) -> Result<Arc<[P]>, PickError> {
        let fingerprint = host.topology_fingerprint(id).map_err(store_failure("topology-fingerprint"))?;
        if let Some(fp) = fingerprint {
            if let Some((_, _, personas)) = self.topologies.iter().find(|(known, f, _)| *f == fp && known == id) {
                return Ok(Arc::clone(personas));
            }
        }
        // A host that parses the list saves the policy the JSON.
        let personas = match host.topology_personas(id) {
            Some(answer) => {
                answer.map_err(store_failure("topology-personas"))?.map(Arc::from).unwrap_or_else(|| Arc::from([]))
            }
            // Known at compile time: a policy built for a host that always
            // parses carries no JSON parser of its own (half its code).
            None if H::PARSES_PERSONAS => return Err(unparsed("topology-personas")),
            None => self.fetch_and_parse(host, id, decky)?,
        };
        if let Some(fp) = fingerprint {
            if self.topologies.len() >= MAX_TOPOLOGIES {
                self.topologies.clear();
            }
            self.topologies.retain(|(known, _, _)| known != id);
            self.topologies.push((id.to_owned(), fp, Arc::clone(&personas)));
        }
        Ok(personas)
    }

    /// A topology's personas from its JSON text.
    fn fetch_and_parse(&mut self, host: &mut impl PickerHost, id: &str, decky: &Decky) -> Result<Arc<[P]>, PickError> {
        Ok(match host.get_topology(id).map_err(store_failure("get-topology"))? {
            None => Arc::from([]),
            Some(topology) => self.parse(host, &topology.email_personas, topology.language(), "topology", decky),
        })
    }

    fn global_personas<H: PickerHost<Persona = P>>(
        &mut self,
        host: &mut H,
        decky: &Decky,
    ) -> Result<Arc<[P]>, PickError> {
        let fingerprint = host.global_personas_fingerprint().map_err(store_failure("global-personas-fingerprint"))?;
        if let (Some(fp), Some((known, personas))) = (fingerprint, &self.global) {
            if fp == *known {
                return Ok(Arc::clone(personas));
            }
        }
        let personas = match host.global_pool_personas() {
            Some(answer) => answer.map_err(store_failure("global-pool-personas"))?.into(),
            None if H::PARSES_PERSONAS => return Err(unparsed("global-pool-personas")),
            None => {
                let text = host.global_personas().map_err(store_failure("global-personas"))?;
                let source = decky.source.as_deref().unwrap_or("unknown");
                self.parse(host, &text, GLOBAL_LANGUAGE_DEFAULT, source, decky)
            }
        };
        self.global = fingerprint.map(|fp| (fp, Arc::clone(&personas)));
        Ok(personas)
    }

    /// Parses (or finds) a list, logging its warnings when first parsed.
    fn parse(
        &mut self,
        host: &mut impl PickerHost,
        text: &str,
        language: &str,
        source: &str,
        decky: &Decky,
    ) -> Arc<[P]> {
        let (personas, warnings) = self.personas.get(text, language);
        for warning in warnings {
            host.log(LogLevel::Warn, &format!("{source} personas for mail decky {}: {warning}", decky.uuid));
        }
        personas
    }
}

/// A host that promised its own parse of the persona lists gave none.
fn unparsed(import: &str) -> PickError {
    PickError::new(ErrorKind::Internal, format!("{import}: the host parses persona lists, but gave no answer"))
}
