//! Property tests of the event-time reorder buffer.

use counterfact_stream::ReorderBuffer;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Event(i32),
    Watermark(i32),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (-20i32..20).prop_map(Step::Event),
        1 => (-25i32..25).prop_map(Step::Watermark),
        1 => prop_oneof![Just(i32::MIN), Just(i32::MAX)].prop_map(Step::Event),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Released events plus rejected late events are a permutation of the input; the released
    /// sequence is sorted by (timestamp, arrival); nothing released is at or behind an earlier
    /// watermark; late events really were at or behind the watermark.
    #[test]
    fn releases_sorted_permutation(steps in prop::collection::vec(step(), 0..300)) {
        let mut buffer = ReorderBuffer::new();
        let mut released: Vec<(i32, usize)> = Vec::new();
        let mut late: Vec<(i32, usize)> = Vec::new();
        let mut input: Vec<(i32, usize)> = Vec::new();
        let mut watermark: Option<i32> = None;
        for s in &steps {
            match *s {
                Step::Event(ts) => {
                    let arrival = input.len();
                    input.push((ts, arrival));
                    if let Err(e) = buffer.push(ts, arrival) {
                        prop_assert!(watermark.is_some_and(|w| e.timestamp <= w));
                        prop_assert_eq!(Some(e.watermark), watermark);
                        late.push((e.timestamp, e.event));
                    } else {
                        prop_assert!(watermark.is_none_or(|w| ts > w));
                    }
                }
                Step::Watermark(w) => {
                    let batch = buffer.advance_watermark(w);
                    watermark = Some(watermark.map_or(w, |c| c.max(w)));
                    prop_assert_eq!(buffer.watermark().copied(), watermark);
                    for (ts, _) in &batch {
                        prop_assert!(*ts <= watermark.unwrap_or(i32::MIN));
                    }
                    prop_assert!(buffer.next_timestamp().is_none_or(|t| Some(*t) > watermark));
                    released.extend(batch);
                }
            }
        }
        released.extend(buffer.flush());
        prop_assert!(buffer.is_empty());
        prop_assert_eq!(buffer.len(), 0);
        let mut sorted = released.clone();
        sorted.sort();
        prop_assert_eq!(&released, &sorted, "released out of (timestamp, arrival) order");
        let mut all: Vec<(i32, usize)> = released.iter().chain(&late).copied().collect();
        all.sort_by_key(|e| e.1);
        prop_assert_eq!(all, input);
    }
}

#[test]
fn equal_timestamps_keep_arrival_order() {
    let mut buffer = ReorderBuffer::new();
    for (i, ts) in [3, 1, 3, 1, 2, 3].into_iter().enumerate() {
        buffer.push(ts, i).unwrap();
    }
    assert_eq!(buffer.advance_watermark(2), vec![(1, 1), (1, 3), (2, 4)]);
    // A watermark moving backwards releases nothing and keeps the old watermark.
    assert!(buffer.advance_watermark(0).is_empty());
    assert_eq!(buffer.watermark(), Some(&2));
    assert_eq!(buffer.flush(), vec![(3, 0), (3, 2), (3, 5)]);
    assert_eq!(buffer.watermark(), Some(&3));
    let late = buffer.push(3, 9).unwrap_err();
    assert_eq!((late.timestamp, late.event, late.watermark), (3, 9, 3));
}
