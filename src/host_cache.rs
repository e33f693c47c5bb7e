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

use std::sync::Arc;

use crate::host::{Decky, LogLevel, PickerHost};
use crate::outcome::PickError;
use crate::persona::{Persona, GLOBAL_LANGUAGE_DEFAULT};
use crate::persona_cache::PersonaCache;
use crate::pick::{is_mail_decky, store, MAIL_SERVICES};

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
}

impl<P> Default for HostCache<P> {
    fn default() -> Self {
        HostCache { deckies: None, topologies: Vec::new(), global: None, personas: PersonaCache::default() }
    }
}

impl<P> HostCache<P> {
    /// Step 1: the running deckies that offer `imap` or `pop3`. The host is
    /// asked for those only; the filter is applied again here so a host
    /// that ignores it changes nothing.
    pub fn mail_deckies(&mut self, host: &mut impl PickerHost) -> Result<Arc<[Decky]>, PickError> {
        let fingerprint =
            host.running_deckies_fingerprint(&MAIL_SERVICES).map_err(store("running-deckies-fingerprint"))?;
        if let (Some(fp), Some((known, deckies))) = (fingerprint, &self.deckies) {
            if fp == *known {
                return Ok(Arc::clone(deckies));
            }
        }
        let listed = host.list_running_deckies(&MAIL_SERVICES).map_err(store("list-running-deckies"))?;
        let deckies: Arc<[Decky]> = listed.into_iter().filter(is_mail_decky).collect();
        self.deckies = fingerprint.map(|fp| (fp, Arc::clone(&deckies)));
        Ok(deckies)
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
        let fingerprint = host.topology_fingerprint(id).map_err(store("topology-fingerprint"))?;
        if let Some(fp) = fingerprint {
            if let Some((_, _, personas)) = self.topologies.iter().find(|(known, f, _)| *f == fp && known == id) {
                return Ok(Arc::clone(personas));
            }
        }
        // A host that parses the list saves the policy the JSON.
        let personas = match host.topology_personas(id) {
            Some(answer) => answer.map_err(store("topology-personas"))?.map(Arc::from).unwrap_or_else(|| Arc::from([])),
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
        Ok(match host.get_topology(id).map_err(store("get-topology"))? {
            None => Arc::from([]),
            Some(topology) => {
                let language = topology.language_default.filter(|l| !l.is_empty());
                let language = language.as_deref().unwrap_or(GLOBAL_LANGUAGE_DEFAULT);
                self.parse(host, &topology.email_personas, language, "topology", decky)
            }
        })
    }

    fn global_personas<H: PickerHost<Persona = P>>(
        &mut self,
        host: &mut H,
        decky: &Decky,
    ) -> Result<Arc<[P]>, PickError> {
        let fingerprint = host.global_personas_fingerprint().map_err(store("global-personas-fingerprint"))?;
        if let (Some(fp), Some((known, personas))) = (fingerprint, &self.global) {
            if fp == *known {
                return Ok(Arc::clone(personas));
            }
        }
        let personas = match host.global_pool_personas() {
            Some(answer) => answer.map_err(store("global-pool-personas"))?.into(),
            None => {
                let text = host.global_personas().map_err(store("global-personas"))?;
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
