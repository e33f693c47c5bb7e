//! Drops custom sections from a component and the modules nested in it.
//!
//! wasm-component-ld writes a `component-name` section (5 KB for the default
//! policy) and every module carries a `producers` section. Neither is read by
//! wasmtime to run a policy: they are names for debuggers and a record of the
//! toolchain. The guest profile already strips the core module's `name`
//! section; this takes the rest, so the embedded components are as small as
//! their code.
//!
//! The binary format is simple enough to walk by hand: an 8-byte preamble,
//! then sections of (id byte, LEB128 size, payload). Custom sections have id
//! 0. In a component, id 1 is a nested core module and id 4 a nested
//! component, both stored whole, so they are stripped recursively and their
//! sizes rewritten.

const CUSTOM: u8 = 0;
const CORE_MODULE: u8 = 1;
const NESTED_COMPONENT: u8 = 4;

/// `bytes` without custom sections, or why it could not be read.
pub fn strip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let preamble = bytes.get(..8).ok_or("shorter than a WebAssembly preamble")?;
    if &preamble[..4] != b"\0asm" {
        return Err("not WebAssembly (no \\0asm magic)".into());
    }
    // Layer 1 (bytes 6..8 = [1, 0]) is a component; layer 0 a core module.
    let is_component = preamble[6..8] == [1, 0];
    let mut out = preamble.to_vec();
    let mut rest = &bytes[8..];
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, after_size) = read_leb_u32(after_id)?;
        let payload = after_size.get(..size as usize).ok_or("a section runs past the end")?;
        rest = &after_size[size as usize..];
        match id {
            CUSTOM => {}
            CORE_MODULE | NESTED_COMPONENT if is_component => write_section(&mut out, id, &strip(payload)?),
            _ => write_section(&mut out, id, payload),
        }
    }
    Ok(out)
}

fn write_section(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
    out.push(id);
    let mut size = payload.len() as u32;
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(payload);
}

fn read_leb_u32(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    let mut value: u32 = 0;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, &bytes[i + 1..]));
        }
    }
    Err("a section size is not a valid LEB128 u32".into())
}
