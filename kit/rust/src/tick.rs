//! One pick in progress, and the helpers every policy uses.
//!
//! The helpers draw from the tick's random source in a fixed order, so a
//! policy built from them gives the same outcome for the same seed on every
//! host, natively and in Wasm.

use std::sync::Arc;

use chrono::{NaiveDateTime, Timelike};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use emailgen_domain::active_hours::{minute_of_day, MinuteOfDay};
use emailgen_domain::outcome::{store_failure, EmailAction, ErrorKind, Outcome, PickError, Shortage, SkipReason};
use emailgen_domain::persona::{Persona, PersonaView};
use emailgen_domain::threads::{new_thread_id, references_for_reply, reply_subject};
use emailgen_domain::{Decky, LogLevel, PickOptions, ThreadRow};

use crate::cache::{ChosenDecky, HostCache, PersonaSource};
use crate::draw::{active_into, choose_index, choose_pair, positions_into};
use crate::host::PickerHost;

/// Generic topics fed to the text generator when a new thread starts.
/// Deliberately broad: the persona's tone and role shape the email; the hint
/// only gives the model something to write about.
pub const CONTEXT_HINTS: [&str; 16] = [
    "Q3 budget review and approval",
    "Client presentation feedback",
    "Project deadline extension request",
    "Team building event planning",
    "IT system maintenance notification",
    "Quarterly performance review",
    "Vendor onboarding process",
    "Holiday schedule announcement",
    "Training session invitation",
    "Department restructuring update",
    "Client contract negotiation",
    "Security audit findings",
    "Sales strategy meeting",
    "Product launch timeline",
    "Office relocation update",
    "Travel reimbursement policy change",
];

/// Probability of replying on an existing thread when one exists; the rest
/// start a fresh thread. 0.6 mirrors what mailbox studies find for active
/// corporate inboxes: most messages are replies, but not overwhelmingly so.
pub const REPLY_PROBABILITY: f64 = 0.6;

/// How many thread rows to ask for. The seed asks for 20 but only ever uses
/// the newest, so one is asked for: the other 19 would cross the sandbox
/// boundary for nothing. (The outcome is the same either way.)
pub const THREAD_LOOKUP_LIMIT: u32 = 1;

/// The generator behind every choice: xoshiro256++, seeded from the pick's
/// seed or from the OS's secure randomness. It is fast in Wasm (64-bit
/// integer ops only) and gives the same sequence natively and in Wasm.
pub type PickRng = Xoshiro256PlusPlus;

/// A sender and recipient, or why there is none.
pub enum Pair<'p, P> {
    /// Two active personas with different addresses.
    Chosen(&'p P, &'p P),
    /// Fewer than two distinct mailboxes active: how many personas were.
    TooFewActive(usize),
}

/// One pick in progress: the host, the random source, the clock, the
/// caller's reply probability override (validated), and the instance's
/// cache of the host's data.
pub struct Tick<'h, H: PickerHost> {
    /// The host: the store, the clock, the log.
    pub host: &'h mut H,
    /// Every random choice of the pick, seeded from its seed.
    pub rng: PickRng,
    /// The tick's local time: the options' `now`, else the host's clock.
    pub now: NaiveDateTime,
    /// The caller's reply probability, when it gave one (between 0 and 1).
    pub reply_override: Option<f64>,
    /// What the helpers keep of the host's data between picks.
    pub cache: &'h mut HostCache<H::Persona>,
}

impl<'h, H: PickerHost> Tick<'h, H> {
    /// Validates the options and fixes the tick's randomness and time.
    pub fn start(
        host: &'h mut H,
        cache: &'h mut HostCache<H::Persona>,
        options: &PickOptions,
    ) -> Result<Self, PickError> {
        if let Some(p) = options.reply_probability.filter(|p| !(0.0..=1.0).contains(p)) {
            let message = format!("reply probability must be between 0 and 1, got {}", describe_probability(p));
            return Err(PickError::new(ErrorKind::InvalidInput, message));
        }
        let rng = match options.seed {
            Some(seed) => PickRng::seed_from_u64(seed),
            None => PickRng::from_os_rng(),
        };
        let now = options.now.unwrap_or_else(|| host.local_now());
        Ok(Tick { host, rng, now, reply_override: options.reply_probability, cache })
    }

    /// The tick's minute of the day, as active-hours windows count it.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// assert_eq!(tick.minute_of_day(), 10 * 60);
    /// ```
    pub fn minute_of_day(&self) -> MinuteOfDay {
        minute_of_day(self.now.hour(), self.now.minute())
    }

    /// The caller's reply probability if it gave one, else `default`.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// // No override in the options: the policy's own default.
    /// assert_eq!(tick.reply_probability(0.8), 0.8);
    /// ```
    pub fn reply_probability(&self, default: f64) -> f64 {
        self.reply_override.unwrap_or(default)
    }

    /// `true` with probability `p` (one draw).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// assert!(tick.coin(1.0));
    /// assert!(!tick.coin(0.0));
    /// ```
    pub fn coin(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    /// A uniform index into a list of `len` items (one draw).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// assert!(tick.choose_index(3) < 3);
    /// ```
    pub fn choose_index(&mut self, len: usize) -> usize {
        choose_index(&mut self.rng, len)
    }

    /// Logs at `level` through the host (escaped and bounded there).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// tick.log(emailgen_policy::LogLevel::Info, "considering mx-1");
    /// drop(tick);
    /// assert_eq!(host.logs.len(), 1);
    /// ```
    pub fn log(&mut self, level: LogLevel, message: &str) {
        self.host.log(level, message);
    }
}

/// Mail deckies and personas: where a pick's candidates come from.
impl<H: PickerHost> Tick<'_, H>
where
    H::Persona: for<'a> From<&'a Persona>,
{
    /// The running deckies that offer `imap` or `pop3` (SPEC §5 step 1),
    /// kept between picks while the host's fingerprint says they are
    /// unchanged.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let deckies = tick.mail_deckies()?;
    /// assert_eq!(deckies.len(), 1);
    /// assert_eq!(deckies[0].uuid, "mx-1");
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn mail_deckies(&mut self) -> Result<Arc<[Decky]>, PickError> {
        self.cache.mail_deckies(self.host)
    }

    /// A mail decky chosen uniformly (steps 1–2); `None` when there is
    /// none. On an instance's first pick it asks a host that offers random
    /// access for the chosen decky alone.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.expect("the office has a mail decky");
    /// assert_eq!(decky.uuid, "mx-1");
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn choose_mail_decky(&mut self) -> Result<Option<ChosenDecky>, PickError> {
        self.cache.choose_mail_decky(self.host, &mut self.rng)
    }

    /// The persona source of a mail decky and the valid personas it holds
    /// (step 3): a topology decky's own topology, any other decky the
    /// host-wide global pool; the two never mix. The label is the one a
    /// skip names (`topology`, `global`, …).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, source) = tick.personas(&decky)?;
    /// assert_eq!((personas.len(), source.as_str()), (2, "topology"));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn personas(&mut self, decky: &Decky) -> Result<PersonaSource<H::Persona>, PickError> {
        self.cache.personas_for(self.host, decky)
    }

    /// Whether a persona is in its active hours at the tick's time (SPEC §4).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// // 10:00 is within the default hours.
    /// assert!(personas.iter().all(|p| tick.is_active(p)));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn is_active(&self, persona: &H::Persona) -> bool {
        persona.is_active(self.minute_of_day())
    }

    /// A sender uniformly among the personas active now, then a recipient
    /// uniformly among the other active addresses (steps 5–6).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// use emailgen_policy::{Pair, PersonaView};
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// let Pair::Chosen(sender, recipient) = tick.choose_pair(&personas) else { panic!("both are in hours") };
    /// assert_ne!(sender.email(), recipient.email());
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn choose_pair<'p>(&mut self, personas: &'p [H::Persona]) -> Pair<'p, H::Persona> {
        active_into(personas, self.minute_of_day(), &mut self.cache.active);
        self.pair_among(personas)
    }

    /// As [`choose_pair`](Self::choose_pair), among the personas `keep`
    /// accepts instead of those in their active hours.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// use emailgen_policy::{Pair, PersonaView};
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// // Only people whose address is at acme.example, at any hour.
    /// let pair = tick.choose_pair_where(&personas, |p| p.email().ends_with("@acme.example"));
    /// assert!(matches!(pair, Pair::Chosen(..)));
    /// let nobody = tick.choose_pair_where(&personas, |_| false);
    /// assert!(matches!(nobody, Pair::TooFewActive(0)));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn choose_pair_where<'p>(
        &mut self,
        personas: &'p [H::Persona],
        keep: impl Fn(&H::Persona) -> bool,
    ) -> Pair<'p, H::Persona> {
        positions_into(personas, keep, &mut self.cache.active);
        self.pair_among(personas)
    }

    fn pair_among<'p>(&mut self, personas: &'p [H::Persona]) -> Pair<'p, H::Persona> {
        match choose_pair(&mut self.rng, personas, &self.cache.active) {
            Some((sender, recipient)) => Pair::Chosen(sender, recipient),
            None => Pair::TooFewActive(self.cache.active.len()),
        }
    }
}

/// Threads and actions: what a pick decides.
impl<H: PickerHost> Tick<'_, H> {
    /// The newest thread between sender and recipient on a mail decky, if
    /// any (one store lookup).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// let thread = tick.newest_thread(&decky, &personas[0], &personas[1])?;
    /// assert_eq!(thread.unwrap().subject, "Q3 budget");
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn newest_thread(
        &mut self,
        decky: &Decky,
        sender: &H::Persona,
        recipient: &H::Persona,
    ) -> Result<Option<ThreadRow>, PickError> {
        let rows = self
            .host
            .list_email_threads(&decky.uuid, sender.email(), recipient.email(), THREAD_LOOKUP_LIMIT)
            .map_err(store_failure("list-email-threads"))?;
        Ok(rows.into_iter().next())
    }

    /// A new thread about a topic drawn from [`CONTEXT_HINTS`] (two draws:
    /// the thread id, then the topic).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// let action = tick.new_thread(&decky, &personas[0], &personas[1]);
    /// assert!(!action.is_reply && action.parent_message_id.is_none());
    /// assert!(emailgen_policy::CONTEXT_HINTS.contains(&action.context_hint.as_str()));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn new_thread(
        &mut self,
        decky: &Decky,
        sender: &H::Persona,
        recipient: &H::Persona,
    ) -> EmailAction<H::Persona> {
        let thread_id = new_thread_id(&mut self.rng);
        let hint = CONTEXT_HINTS[choose_index(&mut self.rng, CONTEXT_HINTS.len())];
        let mut action = self.blank_action(decky, sender, recipient, thread_id);
        action.context_hint = hint.to_owned();
        action
    }

    /// A new thread about `topic` (one draw: the thread id).
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// let action = tick.new_thread_about(&decky, &personas[0], &personas[1], "Night shift handover");
    /// assert_eq!(action.context_hint, "Night shift handover");
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn new_thread_about(
        &mut self,
        decky: &Decky,
        sender: &H::Persona,
        recipient: &H::Persona,
        topic: &str,
    ) -> EmailAction<H::Persona> {
        let thread_id = new_thread_id(&mut self.rng);
        let mut action = self.blank_action(decky, sender, recipient, thread_id);
        action.context_hint = topic.to_owned();
        action
    }

    /// A reply on `parent`: its thread, its Message-ID as the parent, the
    /// `References` chain and the `Re:` subject derived as the host
    /// derives them (SPEC §5 step 9), so the host accepts the answer.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let (personas, _) = tick.personas(&decky)?;
    /// let parent = tick.newest_thread(&decky, &personas[0], &personas[1])?.unwrap();
    /// let action = tick.reply_to(&decky, &personas[0], &personas[1], parent);
    /// assert_eq!(action.subject_hint.as_deref(), Some("Re: Q3 budget"));
    /// assert_eq!(action.references, "<q3@acme.example>");
    /// assert_eq!(action.parent_message_id.as_deref(), Some("<q3@acme.example>"));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn reply_to(
        &mut self,
        decky: &Decky,
        sender: &H::Persona,
        recipient: &H::Persona,
        parent: ThreadRow,
    ) -> EmailAction<H::Persona> {
        let subject = reply_subject(&parent.subject);
        let mut action = self.blank_action(decky, sender, recipient, parent.thread_id);
        action.references = references_for_reply(&parent.references, &parent.message_id);
        action.parent_message_id = Some(parent.message_id);
        action.subject_hint = Some(subject.clone());
        action.context_hint = subject;
        action.is_reply = true;
        action
    }

    fn blank_action(
        &self,
        decky: &Decky,
        sender: &H::Persona,
        recipient: &H::Persona,
        thread_id: String,
    ) -> EmailAction<H::Persona> {
        // A host that fills in the decky's name and services from its own
        // copy (the Wasm host) is not sent them: they would cross for nothing.
        let (mail_decky_name, mail_decky_services) = match self.host.fills_in_decky() {
            true => (String::new(), Vec::new()),
            false => (decky.name.clone(), decky.services.clone()),
        };
        EmailAction {
            mail_decky_uuid: decky.uuid.clone(),
            mail_decky_name,
            mail_decky_services,
            sender: sender.clone(),
            recipient: recipient.clone(),
            thread_id,
            parent_message_id: None,
            references: String::new(),
            subject_hint: None,
            parent_excerpt: None,
            context_hint: String::new(),
            is_reply: false,
            description: "email:send".to_owned(),
        }
    }

    /// The skip for a persona source with fewer than two valid personas,
    /// logged at debug level.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// use emailgen_policy::{Outcome, SkipReason};
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let skip = tick.too_few_personas("topology", &decky, 1);
    /// assert!(matches!(skip, Outcome::Skip { reason: SkipReason::TooFewPersonas(s) } if s.count == 1));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn too_few_personas(&mut self, source: &str, decky: &Decky, count: usize) -> Outcome<H::Persona> {
        self.log_shortage(source, decky, count, "personas");
        Outcome::Skip { reason: SkipReason::TooFewPersonas(shortage(source, decky, count)) }
    }

    /// The skip for fewer than two distinct mailboxes active now, logged at
    /// debug level.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// use emailgen_policy::{Outcome, SkipReason};
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// let skip = tick.too_few_active("topology", &decky, 0);
    /// assert!(matches!(skip, Outcome::Skip { reason: SkipReason::TooFewActive(s) } if s.mail_decky_uuid == "mx-1"));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn too_few_active(&mut self, source: &str, decky: &Decky, count: usize) -> Outcome<H::Persona> {
        self.log_shortage(source, decky, count, "personas in-hours");
        Outcome::Skip { reason: SkipReason::TooFewActive(shortage(source, decky, count)) }
    }

    fn log_shortage(&mut self, source: &str, decky: &Decky, count: usize, what: &str) {
        let message = format!("emailgen pick: source={source} mail_decky={} only {count} {what}; need >=2", decky.uuid);
        self.host.log(LogLevel::Debug, &message);
    }
}

/// The default steps on a chosen decky, for policies that change only the
/// decky choice or the reply chance.
impl<H: PickerHost> Tick<'_, H>
where
    H::Persona: for<'a> From<&'a Persona>,
{
    /// Steps 3–10 on one chosen mail decky: its personas, a pair active
    /// now, then a reply on their newest thread with the probability
    /// `reply_probability` gives for the sender (the coin first, the lookup
    /// only on heads, as in the seed), else a new thread.
    ///
    /// ```
    /// # use emailgen_policy::{cache::HostCache, MemoryHost, PickOptions, Tick};
    /// # let (mut host, mut cache) = (MemoryHost::office(), HostCache::default());
    /// # let options = PickOptions { seed: Some(1), ..PickOptions::default() };
    /// # let mut tick = Tick::start(&mut host, &mut cache, &options).unwrap();
    /// let decky = tick.choose_mail_decky()?.unwrap();
    /// // Always reply when the pair has a thread.
    /// let outcome = tick.pick_on(&decky, &|_| 1.0)?;
    /// assert!(outcome.action().is_some_and(|a| a.is_reply));
    /// # Ok::<(), emailgen_policy::PickError>(())
    /// ```
    pub fn pick_on(
        &mut self,
        decky: &Decky,
        reply_probability: &dyn Fn(&H::Persona) -> f64,
    ) -> Result<Outcome<H::Persona>, PickError> {
        let (personas, source) = self.personas(decky)?;
        if personas.len() < 2 {
            return Ok(self.too_few_personas(&source, decky, personas.len()));
        }
        let (sender, recipient) = match self.choose_pair(&personas) {
            Pair::Chosen(sender, recipient) => (sender, recipient),
            Pair::TooFewActive(count) => return Ok(self.too_few_active(&source, decky, count)),
        };
        let parent = match self.coin(reply_probability(sender)) {
            true => self.newest_thread(decky, sender, recipient)?,
            false => None,
        };
        let action = match parent {
            Some(row) => self.reply_to(decky, sender, recipient, row),
            None => self.new_thread(decky, sender, recipient),
        };
        Ok(Outcome::Action { action })
    }
}

fn shortage(source: &str, decky: &Decky, count: usize) -> Shortage {
    Shortage { source: source.to_owned(), mail_decky_uuid: decky.uuid.clone(), count: count as u32 }
}

/// A probability as text without `f64`'s `Display`, whose float formatting
/// machinery would add a tenth to the component's size for one message.
fn describe_probability(p: f64) -> String {
    if p.is_nan() {
        return "NaN".into();
    }
    if p.is_infinite() {
        return if p > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let thousandths = (p.abs() * 1000.0).round() as u64;
    let sign = if p < 0.0 { "-" } else { "" };
    format!("{sign}{}.{:03}", thousandths / 1000, thousandths % 1000)
}

#[cfg(test)]
mod tests {
    use super::describe_probability;

    #[test]
    fn probabilities_are_described_without_float_formatting() {
        assert_eq!(describe_probability(1.5), "1.500");
        assert_eq!(describe_probability(-0.1), "-0.100");
        assert_eq!(describe_probability(f64::NAN), "NaN");
        assert_eq!(describe_probability(f64::INFINITY), "inf");
        assert_eq!(describe_probability(f64::NEG_INFINITY), "-inf");
    }
}
