// Label selectors as Kubernetes evaluates them: a Service's plain map and metav1.LabelSelector
// (NetworkPolicy podSelector and namespaceSelector, workload selectors).
import type { LabelSelector, Labels } from './records.js';

/** All selector pairs are among the labels; an empty or absent selector selects nothing (a Service's selector). */
export function selects(selector: Labels | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels[k] === v);
}

/**
 * Whether a metav1.LabelSelector selects `labels`: every matchLabels pair is present and every
 * matchExpression holds (In, NotIn, Exists, DoesNotExist; NotIn and DoesNotExist hold for an
 * absent key, an unknown operator never holds). An empty selector selects everything; an absent
 * one (`undefined`) selects nothing, as in Kubernetes.
 */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  const has = (key: string) => Object.hasOwn(labels, key);
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || labels[k] !== v) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const ok =
      operator === 'In' ? has(key) && values.includes(labels[key] as string)
      : operator === 'NotIn' ? !has(key) || !values.includes(labels[key] as string)
      : operator === 'Exists' ? has(key)
      : operator === 'DoesNotExist' ? !has(key)
      : false;
    if (!ok) return false;
  }
  return true;
}
