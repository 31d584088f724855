//! The textbook singly linked priority list with `Option<Box<Node>>` links and no tail pointer.

use super::PriorityQueue;

struct Node<T, P> {
    element: T,
    priority: P,
    next: Option<Box<Node<T, P>>>,
}

/// A singly linked list of boxed nodes kept in descending priority order (Sedgewick & Wayne,
/// *Algorithms*, 4th ed., §2.4, ordered-list priority queue); insert O(n), delete/peek O(1),
/// one pointer of extra space per element. Without a tail pointer [`LinkedListQueue::last`]
/// walks the list in O(n); [`crate::ArenaListQueue`] keeps a tail and answers in O(1).
///
/// ```
/// use counterfact_stream::{LinkedListQueue, PriorityQueue};
/// let mut q = LinkedListQueue::new();
/// q.insert('x', i64::MIN);
/// q.insert('y', i64::MAX);
/// q.insert('z', i64::MIN);
/// assert_eq!(q.last(), Some(&'z'));
/// assert_eq!(q.delete(), Some('y'));
/// assert_eq!(q.delete(), Some('x'));
/// ```
pub struct LinkedListQueue<T, P> {
    head: Option<Box<Node<T, P>>>,
    len: usize,
}

impl<T, P: Ord> LinkedListQueue<T, P> {
    /// An empty queue.
    pub fn new() -> Self {
        LinkedListQueue { head: None, len: 0 }
    }

    /// The lowest-priority element (the one that would leave last), found by walking from the
    /// head: O(n). `None` when empty.
    pub fn last(&self) -> Option<&T> {
        let mut node = self.head.as_deref()?;
        while let Some(next) = node.next.as_deref() {
            node = next;
        }
        Some(&node.element)
    }

    /// Elements in the order they would leave, without removing them.
    pub fn iter(&self) -> impl Iterator<Item = (&T, &P)> {
        let mut cursor = self.head.as_deref();
        std::iter::from_fn(move || {
            let node = cursor?;
            cursor = node.next.as_deref();
            Some((&node.element, &node.priority))
        })
    }
}

impl<T, P: Ord> Default for LinkedListQueue<T, P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, P: Ord> PriorityQueue<T, P> for LinkedListQueue<T, P> {
    fn insert(&mut self, element: T, priority: P) {
        // Skip every node of greater or equal priority so that ties keep insertion order.
        let mut link = &mut self.head;
        while link.as_ref().is_some_and(|node| node.priority >= priority) {
            if let Some(node) = link {
                link = &mut node.next;
            }
        }
        let next = link.take();
        *link = Some(Box::new(Node {
            element,
            priority,
            next,
        }));
        self.len += 1;
    }

    fn delete_entry(&mut self) -> Option<(T, P)> {
        let node = self.head.take()?;
        let Node {
            element,
            priority,
            next,
        } = *node;
        self.head = next;
        self.len -= 1;
        Some((element, priority))
    }

    fn peek_entry(&self) -> Option<(&T, &P)> {
        self.head
            .as_deref()
            .map(|node| (&node.element, &node.priority))
    }

    fn peek(&self) -> Option<&T> {
        self.head.as_deref().map(|node| &node.element)
    }

    fn len(&self) -> usize {
        self.len
    }
}

impl<T, P> Drop for LinkedListQueue<T, P> {
    // The default recursive drop of a long Box chain would overflow the stack.
    fn drop(&mut self) {
        let mut link = self.head.take();
        while let Some(mut node) = link {
            link = node.next.take();
        }
    }
}
