//! Rename detection as `git show` does it by default (`diff.renames`, 50%): which deleted
//! file became which added file, and the similarity index git prints for the pair. The
//! score is git's own (diffcore-delta.c), not libgit2's, because the `similarity index`
//! line is part of the patch text a patch-id hashes. Pure: blobs come in as bytes.

use std::collections::{BTreeMap, HashMap};

/// git's scores run from 0 to MAX_SCORE (diffcore.h).
const MAX_SCORE: u64 = 60000;
/// DEFAULT_RENAME_SCORE: 50%.
const MINIMUM_SCORE: u64 = 30000;
/// Basename matches need more: halfway from the minimum to identical (find_basename_matches
/// with git's default factor of one half).
const BASENAME_SCORE: u64 = MINIMUM_SCORE + (MAX_SCORE - MINIMUM_SCORE) / 2;
/// diff.renameLimit's default: no inexact matching beyond this many sources x destinations.
const RENAME_LIMIT: usize = 1000;
/// Candidates kept per destination (NUM_CANDIDATE_PER_DST).
const CANDIDATES: usize = 4;

/// One side of a possible rename: a deleted (source) or added (destination) file.
pub(crate) struct Side<'a> {
    pub path: &'a str,
    pub oid: git2::Oid,
    pub mode: u32,
    pub data: &'a [u8],
}

/// A rename found: indices into the sources and destinations, and git's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rename {
    pub source: usize,
    pub destination: usize,
    pub score: u64,
}

impl Rename {
    /// The percentage of `similarity index N%`.
    pub fn similarity(&self) -> u64 {
        self.score * 100 / MAX_SCORE
    }
}

fn is_regular(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Mirrors diffcore_rename() for plain renames (no copies, no breaks): exact matches
/// first, then unique basenames, then every remaining pair, best scores first.
pub(crate) fn find_renames(sources: &[Side], destinations: &[Side]) -> Vec<Rename> {
    let mut renames = Vec::new();
    let mut source_used = vec![false; sources.len()];
    let mut destination_done = vec![false; destinations.len()];

    // Exact renames: the same blob, a source not used yet, one of the same basename
    // preferred (find_identical_files()).
    for (d, dst) in destinations.iter().enumerate() {
        let mut best: Option<(usize, u32)> = None;
        for (s, src) in sources.iter().enumerate() {
            if source_used[s] || src.oid != dst.oid {
                continue;
            }
            if (!is_regular(src.mode) || !is_regular(dst.mode)) && src.mode != dst.mode {
                continue;
            }
            let score = 1 + u32::from(basename(src.path) == basename(dst.path));
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((s, score));
            }
        }
        if let Some((s, _)) = best {
            source_used[s] = true;
            destination_done[d] = true;
            renames.push(Rename {
                source: s,
                destination: d,
                score: MAX_SCORE,
            });
        }
    }

    let mut counts: HashMap<(bool, usize), BTreeMap<u32, u64>> = HashMap::new();
    let mut spans = |is_source: bool, index: usize, side: &Side| -> BTreeMap<u32, u64> {
        counts
            .entry((is_source, index))
            .or_insert_with(|| hash_chars(side.data))
            .clone()
    };

    // Basenames unique among the remaining sources and among the remaining destinations.
    let unique = |names: Vec<&str>| -> HashMap<String, Option<usize>> {
        let mut map: HashMap<String, Option<usize>> = HashMap::new();
        for (i, name) in names.into_iter().enumerate() {
            map.entry(name.to_string())
                .and_modify(|v| *v = None)
                .or_insert(Some(i));
        }
        map
    };
    let source_names = unique(
        sources
            .iter()
            .enumerate()
            .map(|(i, s)| if source_used[i] { "" } else { basename(s.path) })
            .collect(),
    );
    let destination_names = unique(
        destinations
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if destination_done[i] {
                    ""
                } else {
                    basename(d.path)
                }
            })
            .collect(),
    );
    for (s, src) in sources.iter().enumerate() {
        if source_used[s] {
            continue;
        }
        let name = basename(src.path);
        let (Some(Some(unique_source)), Some(Some(d))) =
            (source_names.get(name), destination_names.get(name))
        else {
            continue;
        };
        if *unique_source != s || destination_done[*d] {
            continue;
        }
        let dst = &destinations[*d];
        let score = estimate_similarity(src, dst, BASENAME_SCORE, &mut spans, s, *d);
        if score >= BASENAME_SCORE {
            source_used[s] = true;
            destination_done[*d] = true;
            renames.push(Rename {
                source: s,
                destination: *d,
                score,
            });
        }
    }

    // Every remaining pair, within the rename limit.
    let open_sources: Vec<usize> = (0..sources.len()).filter(|&s| !source_used[s]).collect();
    let open_destinations: Vec<usize> = (0..destinations.len())
        .filter(|&d| !destination_done[d])
        .collect();
    if open_sources.is_empty()
        || open_destinations.is_empty()
        || open_sources.len() * open_destinations.len() > RENAME_LIMIT * RENAME_LIMIT
    {
        return renames;
    }
    // (score, same basename, destination, source)
    let mut matrix: Vec<(u64, bool, usize, usize)> = Vec::new();
    for &d in &open_destinations {
        let dst = &destinations[d];
        let mut best: Vec<(u64, bool, usize, usize)> = Vec::new();
        for &s in &open_sources {
            let src = &sources[s];
            let score = estimate_similarity(src, dst, MINIMUM_SCORE, &mut spans, s, d);
            let candidate = (score, basename(src.path) == basename(dst.path), d, s);
            // record_if_better(): keep the best four, a newcomer replacing the first of the
            // worst only when strictly better.
            if best.len() < CANDIDATES {
                best.push(candidate);
            } else {
                let worst = (0..best.len())
                    .min_by_key(|&i| (best[i].0, best[i].1))
                    .expect("four candidates");
                if (candidate.0, candidate.1) > (best[worst].0, best[worst].1) {
                    best[worst] = candidate;
                }
            }
        }
        matrix.extend(best);
    }
    // Stable: equal scores keep the order of the destinations.
    matrix.sort_by_key(|m| std::cmp::Reverse((m.0, m.1)));
    for (score, _, d, s) in matrix {
        if score < MINIMUM_SCORE {
            break;
        }
        if destination_done[d] || source_used[s] {
            continue;
        }
        destination_done[d] = true;
        source_used[s] = true;
        renames.push(Rename {
            source: s,
            destination: d,
            score,
        });
    }
    renames
}

/// How much of `dst` comes from `src`, 0 to MAX_SCORE. Mirrors estimate_similarity() in
/// diffcore-rename.c: regular files only, and sizes too far apart score 0 unread.
fn estimate_similarity(
    src: &Side,
    dst: &Side,
    minimum: u64,
    spans: &mut impl FnMut(bool, usize, &Side) -> BTreeMap<u32, u64>,
    source_index: usize,
    destination_index: usize,
) -> u64 {
    if !is_regular(src.mode) || !is_regular(dst.mode) {
        return 0;
    }
    let (src_size, dst_size) = (src.data.len() as u64, dst.data.len() as u64);
    let max_size = src_size.max(dst_size);
    let base_size = src_size.min(dst_size);
    let delta_size = max_size - base_size;
    if max_size * (MAX_SCORE - minimum) < delta_size * MAX_SCORE {
        return 0;
    }
    if dst_size == 0 {
        return 0;
    }
    let src_counts = spans(true, source_index, src);
    let dst_counts = spans(false, destination_index, dst);
    let copied: u64 = src_counts
        .iter()
        .map(|(hash, &count)| count.min(dst_counts.get(hash).copied().unwrap_or(0)))
        .sum();
    copied * MAX_SCORE / max_size
}

/// Bytes per chunk hash: chunks end at a newline or after 64 bytes, a CR before LF is
/// skipped in text. Mirrors hash_chars() in diffcore-delta.c (its table keeps every
/// distinct hash value apart, so a map is the same count).
fn hash_chars(data: &[u8]) -> BTreeMap<u32, u64> {
    const HASHBASE: u32 = 107927;
    let is_text = !is_binary(data);
    let mut counts = BTreeMap::new();
    let (mut accum1, mut accum2, mut n): (u32, u32, u64) = (0, 0, 0);
    for (i, &c) in data.iter().enumerate() {
        if is_text && c == b'\r' && data.get(i + 1) == Some(&b'\n') {
            continue;
        }
        let old_1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old_1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *counts.entry(hash).or_insert(0) += n;
        (accum1, accum2, n) = (0, 0, 0);
    }
    if n > 0 {
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *counts.entry(hash).or_insert(0) += n;
    }
    counts
}

/// git's buffer_is_binary(): a NUL in the first 8000 bytes.
pub(crate) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(path: &'a str, data: &'a [u8]) -> Side<'a> {
        Side {
            path,
            oid: git2::Oid::hash_object(git2::ObjectType::Blob, data).expect("hash"),
            mode: 0o100644,
            data,
        }
    }

    #[test]
    fn an_identical_file_is_a_full_rename() {
        let text = b"a\nb\nc\n";
        let renames = find_renames(&[side("old/x.c", text)], &[side("new/x.c", text)]);
        assert_eq!(renames.len(), 1);
        assert_eq!(renames[0].similarity(), 100);
    }

    #[test]
    fn an_edited_file_scores_what_it_kept() {
        let old: Vec<u8> = (0..10)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let mut new = old.clone();
        new.extend_from_slice(b"line 10\n");
        let renames = find_renames(&[side("a.c", &old)], &[side("b.c", &new)]);
        assert_eq!(renames.len(), 1);
        // 70 of 78 bytes kept: git says 89%.
        assert_eq!(renames[0].similarity(), 89);
        let other = b"something else entirely\n".repeat(4);
        assert!(find_renames(&[side("a.c", &old)], &[side("b.c", &other)]).is_empty());
    }
}
