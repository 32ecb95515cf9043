//! Did-you-mean: the candidates closest to a misspelt word.

/// Damerau–Levenshtein (optimal string alignment) distance, for did-you-mean hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for (i, cell) in d.iter_mut().step_by(w).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let ca = a.get(i - 1);
            let cb = b.get(j - 1);
            let cost = usize::from(ca != cb);
            let mut v = (d.get(at(i - 1, j)).copied().unwrap_or(usize::MAX) + 1)
                .min(d.get(at(i, j - 1)).copied().unwrap_or(usize::MAX) + 1)
                .min(d.get(at(i - 1, j - 1)).copied().unwrap_or(usize::MAX) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(d.get(at(i - 2, j - 2)).copied().unwrap_or(usize::MAX) + 1);
            }
            if let Some(cell) = d.get_mut(at(i, j)) {
                *cell = v;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(usize::MAX)
}

/// The candidates closest to `word` (case-insensitive, ignoring `_`), best first, at most three.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "");
    let w = norm(word);
    let limit = (word.chars().count() / 3).max(1) + 1;
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let d = edit_distance(&w, &norm(c)).min(edit_distance(word, c));
            (d, c)
        })
        .filter(|(d, c)| *d <= limit || norm(c).starts_with(&w) && w.len() >= 3)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}
