//! Fingerprints of store answers (see the WIT `store` interface): xxh3 over
//! every field, each with its length, so different answers get different
//! fingerprints (up to 64-bit hash collisions).

use emailgen_picker::{Decky, Topology};
use xxhash_rust::xxh3::Xxh3;

fn field(hash: &mut Xxh3, text: &str) {
    hash.update(&(text.len() as u64).to_le_bytes());
    hash.update(text.as_bytes());
}

fn optional(hash: &mut Xxh3, text: Option<&str>) {
    match text {
        None => hash.update(&[0]),
        Some(text) => {
            hash.update(&[1]);
            field(hash, text);
        }
    }
}

pub fn deckies(deckies: &[Decky]) -> u64 {
    let mut hash = Xxh3::new();
    hash.update(&(deckies.len() as u64).to_le_bytes());
    for d in deckies {
        field(&mut hash, &d.uuid);
        field(&mut hash, &d.name);
        hash.update(&(d.services.len() as u64).to_le_bytes());
        for service in &d.services {
            field(&mut hash, service);
        }
        optional(&mut hash, d.topology_id.as_deref());
        optional(&mut hash, d.source.as_deref());
    }
    hash.digest()
}

pub fn topology(topology: Option<&Topology>) -> u64 {
    let mut hash = Xxh3::new();
    if let Some(t) = topology {
        hash.update(&[1]);
        field(&mut hash, &t.id);
        field(&mut hash, &t.email_personas);
        optional(&mut hash, t.language_default.as_deref());
    }
    hash.digest()
}

pub fn text(text: &str) -> u64 {
    let mut hash = Xxh3::new();
    field(&mut hash, text);
    hash.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_do_not_run_together() {
        let a = Decky { uuid: "ab".into(), name: "c".into(), ..Default::default() };
        let b = Decky { uuid: "a".into(), name: "bc".into(), ..Default::default() };
        assert_ne!(deckies(std::slice::from_ref(&a)), deckies(&[b]));
        assert_eq!(deckies(std::slice::from_ref(&a)), deckies(std::slice::from_ref(&a)));
        let none = Decky { source: None, ..a.clone() };
        let empty = Decky { source: Some(String::new()), ..a };
        assert_ne!(deckies(&[none]), deckies(&[empty]));
        assert_ne!(topology(None), topology(Some(&Topology::default())));
        assert_ne!(text("[]"), text("[ ]"));
    }
}
