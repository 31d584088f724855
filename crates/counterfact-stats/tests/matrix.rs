//! In-place square-matrix rotations.

use counterfact_stats::StatsError;
use counterfact_stats::matrix::{
    rotate_180, rotate_clockwise, rotate_counter_clockwise, rotate_rows_180, rotate_rows_clockwise,
    rotate_rows_counter_clockwise,
};
use proptest::prelude::*;

/// The reference: out[i][j] = in[n-1-j][i], built in a second matrix.
fn naive_clockwise(m: &[u32], n: usize) -> Vec<u32> {
    let mut out = vec![0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = m[(n - 1 - j) * n + i];
        }
    }
    out
}

fn rows_of(m: &[u32], n: usize) -> Vec<Vec<u32>> {
    m.chunks(n.max(1)).map(<[u32]>::to_vec).collect()
}

#[test]
fn rotations_match_reference_for_small_and_odd_and_even_sides() {
    for n in 0..=9usize {
        let original: Vec<u32> = (0..(n * n) as u32).collect();
        let cw = naive_clockwise(&original, n);
        let half = naive_clockwise(&cw, n);
        let ccw = naive_clockwise(&half, n);

        let mut m = original.clone();
        rotate_clockwise(&mut m, n).unwrap();
        assert_eq!(m, cw, "clockwise n={n}");
        let mut m = original.clone();
        rotate_counter_clockwise(&mut m, n).unwrap();
        assert_eq!(m, ccw, "counter-clockwise n={n}");
        let mut m = original.clone();
        rotate_180(&mut m, n).unwrap();
        assert_eq!(m, half, "180 n={n}");

        let mut rows = rows_of(&original, n);
        if n == 0 {
            rows.clear();
        }
        let expect = |flat: &[u32]| if n == 0 { Vec::new() } else { rows_of(flat, n) };
        let mut r = rows.clone();
        rotate_rows_clockwise(&mut r).unwrap();
        assert_eq!(r, expect(&cw), "rows clockwise n={n}");
        let mut r = rows.clone();
        rotate_rows_counter_clockwise(&mut r).unwrap();
        assert_eq!(r, expect(&ccw), "rows counter-clockwise n={n}");
        let mut r = rows.clone();
        rotate_rows_180(&mut r).unwrap();
        assert_eq!(r, expect(&half), "rows 180 n={n}");
    }
}

#[test]
fn explicit_one_by_one_and_two_by_two() {
    let mut one = [42];
    rotate_clockwise(&mut one, 1).unwrap();
    assert_eq!(one, [42]);
    let mut two = [1, 2, 3, 4];
    rotate_clockwise(&mut two, 2).unwrap();
    assert_eq!(two, [3, 1, 4, 2]);
    let mut rows = vec![vec![1, 2], vec![3, 4]];
    rotate_rows_clockwise(&mut rows).unwrap();
    assert_eq!(rows, vec![vec![3, 1], vec![4, 2]]);
}

/// A type that cannot be cloned, copied or defaulted: the rotations still accept it, so they
/// cannot have built a second matrix of it (the only way to move elements is to swap them).
#[derive(Debug, PartialEq)]
struct Unclonable(u32);

#[test]
fn rotation_uses_no_second_matrix_by_construction() {
    let n = 5;
    let mut m: Vec<Unclonable> = (0..25).map(Unclonable).collect();
    let before = m.as_ptr();
    rotate_clockwise(&mut m, n).unwrap();
    rotate_counter_clockwise(&mut m, n).unwrap();
    rotate_180(&mut m, n).unwrap();
    rotate_180(&mut m, n).unwrap();
    assert_eq!(m.as_ptr(), before, "the buffer was not replaced");
    assert_eq!(m, (0..25).map(Unclonable).collect::<Vec<_>>());
    let mut rows: Vec<Vec<Unclonable>> = (0..3)
        .map(|i| (0..3).map(|j| Unclonable(i * 3 + j)).collect())
        .collect();
    let row_buffers: Vec<*const Unclonable> = rows.iter().map(|r| r.as_ptr()).collect();
    rotate_rows_clockwise(&mut rows).unwrap();
    let mut after: Vec<*const Unclonable> = rows.iter().map(|r| r.as_ptr()).collect();
    after.sort();
    let mut sorted_before = row_buffers.clone();
    sorted_before.sort();
    assert_eq!(
        after, sorted_before,
        "rows rotated within their own buffers"
    );
    assert_eq!(rows[0], vec![Unclonable(6), Unclonable(3), Unclonable(0)]);
}

#[test]
fn non_square_input_is_an_error() {
    let mut m = [1, 2, 3, 4, 5, 6];
    for side in [0, 2, 3, usize::MAX] {
        assert!(matches!(
            rotate_clockwise(&mut m, side),
            Err(StatsError::InvalidArgument { .. })
        ));
        assert!(rotate_counter_clockwise(&mut m, side).is_err());
        assert!(rotate_180(&mut m, side).is_err());
    }
    assert_eq!(
        m,
        [1, 2, 3, 4, 5, 6],
        "failed calls leave the input untouched"
    );
    let mut ragged = vec![vec![1, 2], vec![3]];
    assert!(rotate_rows_clockwise(&mut ragged).is_err());
    assert!(rotate_rows_counter_clockwise(&mut ragged).is_err());
    assert!(rotate_rows_180(&mut ragged).is_err());
    let mut wide = vec![vec![1, 2, 3], vec![4, 5, 6]];
    assert!(rotate_rows_clockwise(&mut wide).is_err());
}

proptest! {
    #[test]
    fn four_quarter_turns_are_the_identity(n in 0usize..12, seed in any::<u32>()) {
        let original: Vec<u32> = (0..(n * n) as u32).map(|x| x.wrapping_mul(seed)).collect();
        let mut m = original.clone();
        for _ in 0..4 {
            rotate_clockwise(&mut m, n).unwrap();
        }
        prop_assert_eq!(&m, &original);
        rotate_clockwise(&mut m, n).unwrap();
        rotate_counter_clockwise(&mut m, n).unwrap();
        prop_assert_eq!(&m, &original);
    }

    #[test]
    fn arbitrary_shapes_never_panic(len in 0usize..40, side in any::<usize>(), rows in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..5), 0..5)) {
        let mut m = vec![0u8; len];
        let _ = rotate_clockwise(&mut m, side % 8);
        let _ = rotate_clockwise(&mut m, side);
        let mut rows = rows;
        let _ = rotate_rows_clockwise(&mut rows);
        let _ = rotate_rows_counter_clockwise(&mut rows);
    }
}
