//! Drawing at random, the same way natively and in Wasm: an index, a
//! sender and recipient, an order.

use emailgen_domain::active_hours::MinuteOfDay;
use emailgen_domain::persona::PersonaView;
use emailgen_domain::persona_cache::same_bytes;
use rand::Rng;

/// Step 6: a sender uniformly among the active personas, then a recipient
/// uniformly among those with another email address. `None` when fewer than
/// two distinct mailboxes are active (the seed crashed here).
///
/// `active` holds the positions in `personas` of the active ones (kept in a
/// buffer the caller reuses: a pick allocates nothing for them).
pub fn choose_pair<'p, P: PersonaView>(
    rng: &mut impl Rng,
    personas: &'p [P],
    active: &[u32],
) -> Option<(&'p P, &'p P)> {
    if active.len() < 2 {
        return None;
    }
    let sender = &personas[active[choose_index(rng, active.len())] as usize];
    // Counted, then walked to: the same draw as indexing a list of them,
    // without building one on every pick.
    let others = || active.iter().map(|&i| &personas[i as usize]).filter(|p| !same_bytes(p.email(), sender.email()));
    let count = others().count();
    if count == 0 {
        return None;
    }
    others().nth(choose_index(rng, count)).map(|recipient| (sender, recipient))
}

/// The positions in `personas` of those active at minute `now`, into
/// `active` (cleared first).
pub fn active_into<P: PersonaView>(personas: &[P], now: MinuteOfDay, active: &mut Vec<u32>) {
    positions_into(personas, |p| p.is_active(now), active);
}

/// The positions in `personas` of those `keep` accepts, into `positions`
/// (cleared first).
pub fn positions_into<P>(personas: &[P], keep: impl Fn(&P) -> bool, positions: &mut Vec<u32>) {
    positions.clear();
    positions.extend((0..personas.len() as u32).filter(|&i| keep(&personas[i as usize])));
}

/// A uniform index into a list of `len` items. Sampled as `u32` so a seed
/// gives the same choice on 32-bit Wasm and 64-bit native builds.
pub fn choose_index(rng: &mut impl Rng, len: usize) -> usize {
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    rng.random_range(0..len) as usize
}

/// Shuffles `items` in place (Fisher–Yates over [`choose_index`], so a seed
/// gives the same order natively and in Wasm).
pub fn shuffle<T>(rng: &mut impl Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, choose_index(rng, i + 1));
    }
}
