//! Property and edge-case tests of the FIFO-tie-breaking priority queues.

use counterfact_stream::{ArenaListQueue, HeapQueue, LinkedListQueue, PriorityQueue};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Insert(i64),
    Delete,
    Peek,
}

fn priority() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3i64..3,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(i64::MIN + 1),
        any::<i64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => priority().prop_map(Op::Insert),
        2 => Just(Op::Delete),
        1 => Just(Op::Peek),
    ]
}

/// The reference: the held elements stably sorted by descending priority.
fn model_order(held: &[(u32, i64)]) -> Vec<(u32, i64)> {
    let mut sorted = held.to_vec();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.1));
    sorted
}

fn check_against_model<Q: PriorityQueue<u32, i64>>(
    mut queue: Q,
    ops: &[Op],
    last: Option<fn(&Q) -> Option<u32>>,
) -> Result<(), TestCaseError> {
    let mut held: Vec<(u32, i64)> = Vec::new();
    for (id, op) in ops.iter().enumerate() {
        let sorted = model_order(&held);
        match op {
            Op::Insert(p) => {
                queue.insert(id as u32, *p);
                held.push((id as u32, *p));
            }
            Op::Delete => {
                let want = sorted.first().copied();
                prop_assert_eq!(queue.delete_entry(), want);
                if let Some(w) = want {
                    held.retain(|h| h.0 != w.0);
                }
            }
            Op::Peek => {
                prop_assert_eq!(queue.peek().copied(), sorted.first().map(|s| s.0));
                prop_assert_eq!(
                    queue.peek_entry().map(|(e, p)| (*e, *p)),
                    sorted.first().copied()
                );
            }
        }
        prop_assert_eq!(queue.len(), held.len());
        prop_assert_eq!(queue.is_empty(), held.is_empty());
        if let Some(last) = last {
            prop_assert_eq!(last(&queue), model_order(&held).last().map(|s| s.0));
        }
    }
    // Draining releases exactly the stable sort of what is left.
    let drained: Vec<(u32, i64)> = std::iter::from_fn(|| queue.delete_entry()).collect();
    prop_assert_eq!(drained, model_order(&held));
    prop_assert_eq!(queue.delete(), None);
    prop_assert_eq!(queue.peek(), None);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arena_list_matches_stable_sort(ops in prop::collection::vec(op(), 0..200)) {
        check_against_model(ArenaListQueue::new(), &ops, Some(|q| q.last().copied()))?;
    }

    #[test]
    fn boxed_list_matches_stable_sort(ops in prop::collection::vec(op(), 0..200)) {
        check_against_model(LinkedListQueue::new(), &ops, Some(|q| q.last().copied()))?;
    }

    #[test]
    fn heap_matches_stable_sort(ops in prop::collection::vec(op(), 0..200)) {
        check_against_model(HeapQueue::new(), &ops, None)?;
    }
}

#[test]
fn empty_queues_answer_none() {
    let mut arena: ArenaListQueue<u8, u8> = ArenaListQueue::new();
    let mut boxed: LinkedListQueue<u8, u8> = LinkedListQueue::default();
    let mut heap: HeapQueue<u8, u8> = HeapQueue::default();
    assert_eq!(
        (arena.delete(), arena.peek(), arena.last()),
        (None, None, None)
    );
    assert_eq!(
        (boxed.delete(), boxed.peek(), boxed.last()),
        (None, None, None)
    );
    assert_eq!((heap.delete(), heap.peek()), (None, None));
    assert!(arena.is_empty() && boxed.is_empty() && heap.is_empty());
}

#[test]
fn arena_reuses_freed_slots_and_tail_stays_right() {
    let mut q = ArenaListQueue::new();
    for round in 0..1000u32 {
        q.insert(round, round % 7);
        q.insert(round + 1_000_000, u32::MAX);
        assert_eq!(q.delete(), Some(round + 1_000_000));
        if round % 3 == 0 {
            q.delete();
        }
    }
    let order: Vec<(u32, u32)> = q.iter().map(|(e, p)| (*e, *p)).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.1));
    assert_eq!(order, sorted);
    assert_eq!(q.last().copied(), order.last().map(|o| o.0));
}

#[test]
fn long_boxed_list_drops_without_stack_overflow() {
    let mut q = LinkedListQueue::new();
    // Non-increasing priorities: each insert walks the whole list, so keep n moderate.
    for i in 0..20_000u32 {
        q.insert(i, 0u8);
    }
    assert_eq!(q.len(), 20_000);
    assert_eq!(q.iter().count(), 20_000);
    drop(q);
}
