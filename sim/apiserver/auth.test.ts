// The Authorizer keeps each user's rules between requests: every change to a binding or a role
// (an aggregated one included) must be seen by the very next request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authorizer } from './auth.js';
import type { RequestAttributes } from './auth.js';
import { ClusterState } from './cluster.js';
import { cloneJson } from './types.js';
import type { UserInfo } from './types.js';

const rbac = (state: ClusterState, plural: string) =>
  state.rt('rbac.authorization.k8s.io', 'v1', plural);
const alice: UserInfo = { username: 'alice', groups: ['team', 'system:authenticated'] };
const listPods: RequestAttributes = {
  verb: 'list',
  apiGroup: '',
  resource: 'pods',
  namespace: 'work',
};
const getSecret: RequestAttributes = {
  verb: 'get',
  apiGroup: '',
  resource: 'secrets',
  namespace: 'work',
  name: 's',
};

function setup(): { state: ClusterState; authz: Authorizer } {
  const state = new ClusterState();
  state.create(state.rt('', 'v1', 'namespaces'), undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'work' },
  });
  return { state, authz: new Authorizer(state) };
}

test('a new binding, a changed role and a removed binding take effect on the next request', () => {
  const { state, authz } = setup();
  assert.equal(authz.allowed(alice, listPods), false);
  state.create(rbac(state, 'roles'), 'work', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', namespace: 'work' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  });
  assert.equal(authz.allowed(alice, listPods), false, 'a role alone grants nothing');
  state.create(rbac(state, 'rolebindings'), 'work', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader', namespace: 'work' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'team' }],
  });
  assert.equal(authz.allowed(alice, listPods), true);
  assert.equal(authz.allowed(alice, getSecret), false);
  const role = cloneJson(state.get(rbac(state, 'roles'), 'work', 'reader')!);
  role.rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
  state.update(rbac(state, 'roles'), 'work', 'reader', role);
  assert.equal(authz.allowed(alice, listPods), false, 'the rule it had is gone');
  assert.equal(authz.allowed(alice, getSecret), true, 'the new rule applies');
  state.delete(rbac(state, 'rolebindings'), 'work', 'reader');
  assert.equal(authz.allowed(alice, getSecret), false);
});

test('a ClusterRole that joins an aggregated role grants at once', () => {
  const { state, authz } = setup();
  state.create(rbac(state, 'clusterroles'), undefined, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'combined' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/combine': 'true' } }] },
    rules: [],
  });
  state.create(rbac(state, 'clusterrolebindings'), undefined, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'combined' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'combined' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  });
  assert.equal(authz.allowed(alice, listPods), false);
  state.create(rbac(state, 'clusterroles'), undefined, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'pods', labels: { 'example.com/combine': 'true' } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
  });
  assert.equal(authz.allowed(alice, listPods), true);
});
