// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl's typed
// clients send them for `create configmap|secret|namespace|serviceaccount|role|...`, `create token`
// and `auth can-i|whoami`. A body is the magic `k8s\0` followed by a runtime.Unknown message whose
// `raw` holds the object's own message; this module turns that into the JSON shape the JSON path
// would have received, for the kinds in KINDS below.
//
// Field numbers and types come from the generated.proto files of k8s.io/api and
// k8s.io/apimachinery (v1.32). JSON mirrors what Go's encoding/json makes of the decoded struct:
// a plain string/number/bool field tagged `omitempty` is left out when it is zero (gogo-protobuf
// writes every non-pointer field, so kubectl's bodies are full of empty strings), a pointer field
// is kept whenever it was on the wire (so `gracePeriodSeconds: 0` and `immutable: false` survive),
// and a field without `omitempty` is always present. Zero timestamps (an empty Time message) and
// absent lists and maps are left out rather than written as null.

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Malformed protobuf input, or a kind the simulator cannot decode. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

/** Whether a Content-Type header names Kubernetes protobuf (parameters such as charset ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// ---- schema ------------------------------------------------------------------------------------

/**
 * One field: [number, JSON name, type, presence]. Types: `string`, `bytes` (base64 in JSON),
 * `int32`, `int64`, `bool`, `time` (metav1.Time), `microtime` (metav1.MicroTime), `fieldsV1`
 * (raw JSON), a message name, `[]<type>` for repeated, `map<string>`, `map<bytes>` and
 * `map<[]string>` (map<string, ExtraValue>). Presence: default is Go `omitempty` on a value field;
 * `*` is a pointer field (kept when on the wire, even if zero); `!` has no omitempty (always in JSON).
 */
type FieldSpec = readonly [no: number, json: string, type: string, presence?: '*' | '!'];

const META = 'meta.ObjectMeta';

const MESSAGES: Record<string, readonly FieldSpec[]> = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  'meta.ObjectMeta': [
    [1, 'name', 'string'],
    [2, 'generateName', 'string'],
    [3, 'namespace', 'string'],
    [4, 'selfLink', 'string'],
    [5, 'uid', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'generation', 'int64'],
    [8, 'creationTimestamp', 'time'],
    [9, 'deletionTimestamp', 'time'],
    [10, 'deletionGracePeriodSeconds', 'int64', '*'],
    [11, 'labels', 'map<string>'],
    [12, 'annotations', 'map<string>'],
    [13, 'ownerReferences', '[]meta.OwnerReference'],
    [14, 'finalizers', '[]string'],
    [17, 'managedFields', '[]meta.ManagedFieldsEntry'],
  ],
  'meta.OwnerReference': [
    [5, 'apiVersion', 'string', '!'],
    [1, 'kind', 'string', '!'],
    [3, 'name', 'string', '!'],
    [4, 'uid', 'string', '!'],
    [6, 'controller', 'bool', '*'],
    [7, 'blockOwnerDeletion', 'bool', '*'],
  ],
  'meta.ManagedFieldsEntry': [
    [1, 'manager', 'string'],
    [2, 'operation', 'string'],
    [3, 'apiVersion', 'string'],
    [4, 'time', 'time'],
    [6, 'fieldsType', 'string'],
    [7, 'fieldsV1', 'fieldsV1'],
    [8, 'subresource', 'string'],
  ],
  'meta.LabelSelector': [
    [1, 'matchLabels', 'map<string>'],
    [2, 'matchExpressions', '[]meta.LabelSelectorRequirement'],
  ],
  'meta.LabelSelectorRequirement': [
    [1, 'key', 'string', '!'],
    [2, 'operator', 'string', '!'],
    [3, 'values', '[]string'],
  ],
  'meta.FieldSelectorRequirement': [
    [1, 'key', 'string', '!'],
    [2, 'operator', 'string', '!'],
    [3, 'values', '[]string'],
  ],
  'meta.DeleteOptions': [
    [1, 'gracePeriodSeconds', 'int64', '*'],
    [2, 'preconditions', 'meta.Preconditions'],
    [3, 'orphanDependents', 'bool', '*'],
    [4, 'propagationPolicy', 'string', '*'],
    [5, 'dryRun', '[]string'],
    [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', '*'],
  ],
  'meta.Preconditions': [
    [1, 'uid', 'string', '*'],
    [2, 'resourceVersion', 'string', '*'],
  ],

  // k8s.io/api/core/v1
  'core.ConfigMap': [
    [1, 'metadata', META],
    [4, 'immutable', 'bool', '*'],
    [2, 'data', 'map<string>'],
    [3, 'binaryData', 'map<bytes>'],
  ],
  'core.Secret': [
    [1, 'metadata', META],
    [5, 'immutable', 'bool', '*'],
    [2, 'data', 'map<bytes>'],
    [4, 'stringData', 'map<string>'],
    [3, 'type', 'string'],
  ],
  'core.Namespace': [
    [1, 'metadata', META],
    [2, 'spec', 'core.NamespaceSpec'],
    [3, 'status', 'core.NamespaceStatus'],
  ],
  'core.NamespaceSpec': [[1, 'finalizers', '[]string']],
  'core.NamespaceStatus': [
    [1, 'phase', 'string'],
    [2, 'conditions', '[]core.NamespaceCondition'],
  ],
  'core.NamespaceCondition': [
    [1, 'type', 'string', '!'],
    [2, 'status', 'string', '!'],
    [4, 'lastTransitionTime', 'time'],
    [5, 'reason', 'string'],
    [6, 'message', 'string'],
  ],
  'core.ServiceAccount': [
    [1, 'metadata', META],
    [2, 'secrets', '[]core.ObjectReference'],
    [3, 'imagePullSecrets', '[]core.LocalObjectReference'],
    [4, 'automountServiceAccountToken', 'bool', '*'],
  ],
  'core.ObjectReference': [
    [1, 'kind', 'string'],
    [2, 'namespace', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
    [5, 'apiVersion', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'fieldPath', 'string'],
  ],
  'core.LocalObjectReference': [[1, 'name', 'string']],
  'core.Event': [
    [1, 'metadata', META],
    [2, 'involvedObject', 'core.ObjectReference'],
    [3, 'reason', 'string'],
    [4, 'message', 'string'],
    [5, 'source', 'core.EventSource'],
    [6, 'firstTimestamp', 'time'],
    [7, 'lastTimestamp', 'time'],
    [8, 'count', 'int32'],
    [9, 'type', 'string'],
    [10, 'eventTime', 'microtime'],
    [11, 'series', 'core.EventSeries'],
    [12, 'action', 'string'],
    [13, 'related', 'core.ObjectReference'],
    [14, 'reportingComponent', 'string', '!'],
    [15, 'reportingInstance', 'string', '!'],
  ],
  'core.EventSource': [
    [1, 'component', 'string'],
    [2, 'host', 'string'],
  ],
  'core.EventSeries': [
    [1, 'count', 'int32'],
    [2, 'lastObservedTime', 'microtime'],
  ],

  // k8s.io/api/events/v1
  'events.Event': [
    [1, 'metadata', META],
    [2, 'eventTime', 'microtime'],
    [3, 'series', 'events.EventSeries'],
    [4, 'reportingController', 'string'],
    [5, 'reportingInstance', 'string'],
    [6, 'action', 'string'],
    [7, 'reason', 'string'],
    [8, 'regarding', 'core.ObjectReference'],
    [9, 'related', 'core.ObjectReference'],
    [10, 'note', 'string'],
    [11, 'type', 'string'],
    [12, 'deprecatedSource', 'core.EventSource'],
    [13, 'deprecatedFirstTimestamp', 'time'],
    [14, 'deprecatedLastTimestamp', 'time'],
    [15, 'deprecatedCount', 'int32'],
  ],
  'events.EventSeries': [
    [1, 'count', 'int32', '!'],
    [2, 'lastObservedTime', 'microtime'],
  ],

  // k8s.io/api/coordination/v1
  'coordination.Lease': [
    [1, 'metadata', META],
    [2, 'spec', 'coordination.LeaseSpec'],
  ],
  'coordination.LeaseSpec': [
    [1, 'holderIdentity', 'string', '*'],
    [2, 'leaseDurationSeconds', 'int32', '*'],
    [3, 'acquireTime', 'microtime'],
    [4, 'renewTime', 'microtime'],
    [5, 'leaseTransitions', 'int32', '*'],
    [6, 'strategy', 'string', '*'],
    [7, 'preferredHolder', 'string', '*'],
  ],

  // k8s.io/api/rbac/v1
  'rbac.Role': [
    [1, 'metadata', META],
    [2, 'rules', '[]rbac.PolicyRule'],
  ],
  'rbac.ClusterRole': [
    [1, 'metadata', META],
    [2, 'rules', '[]rbac.PolicyRule'],
    [3, 'aggregationRule', 'rbac.AggregationRule'],
  ],
  'rbac.PolicyRule': [
    [1, 'verbs', '[]string'],
    [2, 'apiGroups', '[]string'],
    [3, 'resources', '[]string'],
    [4, 'resourceNames', '[]string'],
    [5, 'nonResourceURLs', '[]string'],
  ],
  'rbac.AggregationRule': [[1, 'clusterRoleSelectors', '[]meta.LabelSelector']],
  'rbac.RoleBinding': [
    [1, 'metadata', META],
    [2, 'subjects', '[]rbac.Subject'],
    [3, 'roleRef', 'rbac.RoleRef'],
  ],
  'rbac.ClusterRoleBinding': [
    [1, 'metadata', META],
    [2, 'subjects', '[]rbac.Subject'],
    [3, 'roleRef', 'rbac.RoleRef'],
  ],
  'rbac.Subject': [
    [1, 'kind', 'string', '!'],
    [2, 'apiGroup', 'string'],
    [3, 'name', 'string', '!'],
    [4, 'namespace', 'string'],
  ],
  'rbac.RoleRef': [
    [1, 'apiGroup', 'string', '!'],
    [2, 'kind', 'string', '!'],
    [3, 'name', 'string', '!'],
  ],

  // k8s.io/api/authorization/v1
  'authorization.SelfSubjectAccessReview': [
    [1, 'metadata', META],
    [2, 'spec', 'authorization.SelfSubjectAccessReviewSpec'],
    [3, 'status', 'authorization.SubjectAccessReviewStatus'],
  ],
  'authorization.SelfSubjectAccessReviewSpec': [
    [1, 'resourceAttributes', 'authorization.ResourceAttributes'],
    [2, 'nonResourceAttributes', 'authorization.NonResourceAttributes'],
  ],
  'authorization.SubjectAccessReview': [
    [1, 'metadata', META],
    [2, 'spec', 'authorization.SubjectAccessReviewSpec'],
    [3, 'status', 'authorization.SubjectAccessReviewStatus'],
  ],
  'authorization.LocalSubjectAccessReview': [
    [1, 'metadata', META],
    [2, 'spec', 'authorization.SubjectAccessReviewSpec'],
    [3, 'status', 'authorization.SubjectAccessReviewStatus'],
  ],
  'authorization.SubjectAccessReviewSpec': [
    [1, 'resourceAttributes', 'authorization.ResourceAttributes'],
    [2, 'nonResourceAttributes', 'authorization.NonResourceAttributes'],
    [3, 'user', 'string'],
    [4, 'groups', '[]string'],
    [5, 'extra', 'map<[]string>'],
    [6, 'uid', 'string'],
  ],
  'authorization.ResourceAttributes': [
    [1, 'namespace', 'string'],
    [2, 'verb', 'string'],
    [3, 'group', 'string'],
    [4, 'version', 'string'],
    [5, 'resource', 'string'],
    [6, 'subresource', 'string'],
    [7, 'name', 'string'],
    [8, 'fieldSelector', 'authorization.FieldSelectorAttributes'],
    [9, 'labelSelector', 'authorization.LabelSelectorAttributes'],
  ],
  'authorization.FieldSelectorAttributes': [
    [1, 'rawSelector', 'string'],
    [2, 'requirements', '[]meta.FieldSelectorRequirement'],
  ],
  'authorization.LabelSelectorAttributes': [
    [1, 'rawSelector', 'string'],
    [2, 'requirements', '[]meta.LabelSelectorRequirement'],
  ],
  'authorization.NonResourceAttributes': [
    [1, 'path', 'string'],
    [2, 'verb', 'string'],
  ],
  'authorization.SubjectAccessReviewStatus': [
    [1, 'allowed', 'bool', '!'],
    [4, 'denied', 'bool'],
    [2, 'reason', 'string'],
    [3, 'evaluationError', 'string'],
  ],
  'authorization.SelfSubjectRulesReview': [
    [1, 'metadata', META],
    [2, 'spec', 'authorization.SelfSubjectRulesReviewSpec'],
    [3, 'status', 'authorization.SubjectRulesReviewStatus'],
  ],
  'authorization.SelfSubjectRulesReviewSpec': [[1, 'namespace', 'string']],
  'authorization.SubjectRulesReviewStatus': [
    [1, 'resourceRules', '[]authorization.ResourceRule'],
    [2, 'nonResourceRules', '[]authorization.NonResourceRule'],
    [3, 'incomplete', 'bool', '!'],
    [4, 'evaluationError', 'string'],
  ],
  'authorization.ResourceRule': [
    [1, 'verbs', '[]string'],
    [2, 'apiGroups', '[]string'],
    [3, 'resources', '[]string'],
    [4, 'resourceNames', '[]string'],
  ],
  'authorization.NonResourceRule': [
    [1, 'verbs', '[]string'],
    [2, 'nonResourceURLs', '[]string'],
  ],

  // k8s.io/api/authentication/v1 (SelfSubjectReview also v1beta1/v1alpha1: same fields)
  'authentication.TokenRequest': [
    [1, 'metadata', META],
    [2, 'spec', 'authentication.TokenRequestSpec'],
    [3, 'status', 'authentication.TokenRequestStatus'],
  ],
  'authentication.TokenRequestSpec': [
    [1, 'audiences', '[]string'],
    [4, 'expirationSeconds', 'int64', '*'],
    [3, 'boundObjectRef', 'authentication.BoundObjectReference'],
  ],
  'authentication.TokenRequestStatus': [
    [1, 'token', 'string', '!'],
    [2, 'expirationTimestamp', 'time'],
  ],
  'authentication.BoundObjectReference': [
    [1, 'kind', 'string'],
    [2, 'apiVersion', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'], // named `uID` in the .proto; `uid` in JSON
  ],
  'authentication.TokenReview': [
    [1, 'metadata', META],
    [2, 'spec', 'authentication.TokenReviewSpec'],
    [3, 'status', 'authentication.TokenReviewStatus'],
  ],
  'authentication.TokenReviewSpec': [
    [1, 'token', 'string'],
    [2, 'audiences', '[]string'],
  ],
  'authentication.TokenReviewStatus': [
    [1, 'authenticated', 'bool'],
    [2, 'user', 'authentication.UserInfo'],
    [4, 'audiences', '[]string'],
    [3, 'error', 'string'],
  ],
  'authentication.UserInfo': [
    [1, 'username', 'string'],
    [2, 'uid', 'string'],
    [3, 'groups', '[]string'],
    [4, 'extra', 'map<[]string>'],
  ],
  'authentication.SelfSubjectReview': [
    [1, 'metadata', META],
    [2, 'status', 'authentication.SelfSubjectReviewStatus'],
  ],
  'authentication.SelfSubjectReviewStatus': [[1, 'userInfo', 'authentication.UserInfo']],
};

/** `<apiVersion> <kind>` → top-level message. `*` matches any apiVersion. */
const KINDS: Record<string, string> = {
  'v1 ConfigMap': 'core.ConfigMap',
  'v1 Secret': 'core.Secret',
  'v1 Namespace': 'core.Namespace',
  'v1 ServiceAccount': 'core.ServiceAccount',
  'v1 Event': 'core.Event',
  'events.k8s.io/v1 Event': 'events.Event',
  'coordination.k8s.io/v1 Lease': 'coordination.Lease',
  'rbac.authorization.k8s.io/v1 Role': 'rbac.Role',
  'rbac.authorization.k8s.io/v1 ClusterRole': 'rbac.ClusterRole',
  'rbac.authorization.k8s.io/v1 RoleBinding': 'rbac.RoleBinding',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': 'rbac.ClusterRoleBinding',
  'authorization.k8s.io/v1 SelfSubjectAccessReview': 'authorization.SelfSubjectAccessReview',
  'authorization.k8s.io/v1 SubjectAccessReview': 'authorization.SubjectAccessReview',
  'authorization.k8s.io/v1 LocalSubjectAccessReview': 'authorization.LocalSubjectAccessReview',
  'authorization.k8s.io/v1 SelfSubjectRulesReview': 'authorization.SelfSubjectRulesReview',
  'authentication.k8s.io/v1 TokenRequest': 'authentication.TokenRequest',
  'authentication.k8s.io/v1 TokenReview': 'authentication.TokenReview',
  'authentication.k8s.io/v1 SelfSubjectReview': 'authentication.SelfSubjectReview',
  'authentication.k8s.io/v1beta1 SelfSubjectReview': 'authentication.SelfSubjectReview',
  'authentication.k8s.io/v1alpha1 SelfSubjectReview': 'authentication.SelfSubjectReview',
  // Typed clients encode DeleteOptions in their own group version (`v1`, `rbac.../v1`, ...).
  '* DeleteOptions': 'meta.DeleteOptions',
};

/** The (apiVersion, kind) pairs this module decodes; `*` means any apiVersion. */
export const SUPPORTED_PROTOBUF_KINDS: readonly { apiVersion: string; kind: string }[] =
  Object.keys(KINDS).map((key) => {
    const [apiVersion, kind] = key.split(' ');
    return { apiVersion, kind };
  });

type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
type MapValueType = 'string' | 'bytes' | 'stringList';
type ValueType =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'time'; micro: boolean }
  | { kind: 'fieldsV1' }
  | { kind: 'message'; name: string };
type FieldType = ValueType | { kind: 'map'; entry: MapValueType };

interface Field {
  no: number;
  json: string;
  type: FieldType;
  repeated: boolean;
  presence: 'omitempty' | 'pointer' | 'always';
}

interface Message {
  name: string;
  byNumber: Map<number, Field>;
  byJson: Map<string, Field>;
}

const SCALARS: readonly string[] = ['string', 'bytes', 'int32', 'int64', 'bool'];

function parseValueType(type: string): ValueType {
  if (SCALARS.includes(type)) return { kind: 'scalar', type: type as ScalarType };
  if (type === 'time' || type === 'microtime') return { kind: 'time', micro: type === 'microtime' };
  if (type === 'fieldsV1') return { kind: 'fieldsV1' };
  if (!(type in MESSAGES)) throw new Error(`protobuf schema: unknown type ${type}`);
  return { kind: 'message', name: type };
}

function parseFieldType(type: string): { type: FieldType; repeated: boolean } {
  const map = /^map<(string|bytes|\[\]string)>$/.exec(type);
  if (map) {
    const entry = map[1] === '[]string' ? 'stringList' : (map[1] as MapValueType);
    return { type: { kind: 'map', entry }, repeated: false };
  }
  if (type.startsWith('[]')) return { type: parseValueType(type.slice(2)), repeated: true };
  return { type: parseValueType(type), repeated: false };
}

function buildMessage(name: string, specs: readonly FieldSpec[]): Message {
  const msg: Message = { name, byNumber: new Map(), byJson: new Map() };
  for (const [no, json, type, mark] of specs) {
    const presence = mark === '*' ? 'pointer' : mark === '!' ? 'always' : 'omitempty';
    const field: Field = { no, json, ...parseFieldType(type), presence };
    if (msg.byNumber.has(no) || msg.byJson.has(json)) {
      throw new Error(`protobuf schema: duplicate field ${no}/${json} in ${name}`);
    }
    msg.byNumber.set(no, field);
    msg.byJson.set(json, field);
  }
  return msg;
}

const SCHEMA = new Map<string, Message>(
  Object.entries(MESSAGES).map(([name, specs]) => [name, buildMessage(name, specs)]),
);

function message(name: string): Message {
  const msg = SCHEMA.get(name);
  if (!msg) throw new Error(`protobuf schema: unknown message ${name}`);
  return msg;
}

function messageForKind(apiVersion: string, kind: string): Message | undefined {
  const name = KINDS[`${apiVersion} ${kind}`] ?? KINDS[`* ${kind}`];
  return name === undefined ? undefined : message(name);
}

function unsupported(apiVersion: string, kind: string): ProtobufError {
  return new ProtobufError(
    `protobuf decoding of ${apiVersion} ${kind} is not supported by the simulator; send JSON`,
  );
}

// ---- wire format -------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/** Reads the bytes [pos, end) of a buffer; offsets in errors are offsets into the whole body. */
class Reader {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    const start = this.pos;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) {
        throw new ProtobufError(
          `truncated protobuf message: varint at offset ${start} runs past the end of its message at offset ${this.end}`,
        );
      }
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtobufError(
      `malformed protobuf message: varint at offset ${start} is longer than 10 bytes`,
    );
  }

  /** A length prefix followed by that many bytes; returns a reader over them and skips past. */
  delimited(): Reader {
    const at = this.pos;
    const length = this.varint();
    const available = this.end - this.pos;
    if (length > BigInt(available)) {
      throw new ProtobufError(
        `truncated protobuf message: the length at offset ${at} declares ${length} bytes but only ${available} remain`,
      );
    }
    const sub = new Reader(this.buf, this.pos, this.pos + Number(length));
    this.pos += Number(length);
    return sub;
  }

  rest(): Buffer {
    const out = Buffer.from(this.buf.subarray(this.pos, this.end));
    this.pos = this.end;
    return out;
  }

  text(): string {
    const out = this.buf.toString('utf8', this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  skip(wire: number, tagOffset: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_LEN:
        this.delimited();
        return;
      case WIRE_I64:
      case WIRE_I32: {
        const size = wire === WIRE_I64 ? 8 : 4;
        if (this.pos + size > this.end) {
          throw new ProtobufError(
            `truncated protobuf message: ${size}-byte field at offset ${this.pos} runs past the end of its message at offset ${this.end}`,
          );
        }
        this.pos += size;
        return;
      }
      default:
        throw new ProtobufError(
          `malformed protobuf message: unsupported wire type ${wire} in the tag at offset ${tagOffset}`,
        );
    }
  }
}

class Writer {
  private readonly chunks: Buffer[] = [];

  varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.chunks.push(Buffer.from(bytes));
  }

  tag(no: number, wire: number): void {
    this.varint((BigInt(no) << 3n) | BigInt(wire));
  }

  delimited(no: number, payload: Buffer): void {
    this.tag(no, WIRE_LEN);
    this.varint(BigInt(payload.length));
    this.chunks.push(payload);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

// ---- decoding ----------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** Decodes a Kubernetes protobuf envelope (magic `k8s\0` + runtime.Unknown) into the JSON shape of the object. Throws ProtobufError with a clear message on malformed input or a kind it does not know. */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufError('not a Kubernetes protobuf message (missing k8s magic bytes)');
  }
  const envelope = new Reader(body, MAGIC.length, body.length);
  let apiVersion = '';
  let kind = '';
  let raw: Reader | undefined;
  let contentEncoding = '';
  let contentType = '';
  while (!envelope.done) {
    const tagOffset = envelope.pos;
    const { no, wire } = readTag(envelope);
    if (no >= 1 && no <= 4) expectWire(wire, WIRE_LEN, `runtime.Unknown field ${no}`, tagOffset);
    switch (no) {
      case 1: {
        const typeMeta = envelope.delimited();
        while (!typeMeta.done) {
          const at = typeMeta.pos;
          const t = readTag(typeMeta);
          if (t.no === 1 || t.no === 2) {
            expectWire(t.wire, WIRE_LEN, `runtime.TypeMeta field ${t.no}`, at);
            const value = typeMeta.delimited().text();
            if (t.no === 1) apiVersion = value;
            else kind = value;
          } else typeMeta.skip(t.wire, at);
        }
        break;
      }
      case 2:
        raw = envelope.delimited();
        break;
      case 3:
        contentEncoding = envelope.delimited().text();
        break;
      case 4:
        contentType = envelope.delimited().text();
        break;
      default:
        envelope.skip(wire, tagOffset);
    }
  }
  if (!kind) throw new ProtobufError('protobuf envelope (runtime.Unknown) names no kind');
  if (contentEncoding) {
    throw new ProtobufError(
      `protobuf envelope content encoding ${JSON.stringify(contentEncoding)} is not supported`,
    );
  }
  if (contentType && contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufError(
      `protobuf envelope content type ${JSON.stringify(contentType)} is not supported`,
    );
  }
  const msg = messageForKind(apiVersion, kind);
  if (!msg) throw unsupported(apiVersion, kind);
  const object = raw ? decodeMessage(raw, msg, kind) : {};
  return { apiVersion, kind, ...object };
}

function readTag(r: Reader): { no: number; wire: number } {
  const at = r.pos;
  const tag = r.varint();
  const no = Number(tag >> 3n);
  if (no === 0 || no > 0x1fffffff) {
    throw new ProtobufError(
      `malformed protobuf message: invalid field number ${no} in the tag at offset ${at}`,
    );
  }
  return { no, wire: Number(tag & 7n) };
}

function expectWire(wire: number, expected: number, what: string, tagOffset: number): void {
  if (wire !== expected) {
    throw new ProtobufError(
      `malformed protobuf message: ${what} at offset ${tagOffset} has wire type ${WIRE_NAMES[wire] ?? wire}, expected ${WIRE_NAMES[expected]}`,
    );
  }
}

function wireOf(type: FieldType): number {
  return type.kind === 'scalar' &&
    (type.type === 'int32' || type.type === 'int64' || type.type === 'bool')
    ? WIRE_VARINT
    : WIRE_LEN;
}

function decodeMessage(r: Reader, msg: Message, path: string): JsonMap {
  const out: JsonMap = {};
  while (!r.done) {
    const tagOffset = r.pos;
    const { no, wire } = readTag(r);
    const field = msg.byNumber.get(no);
    if (!field) {
      r.skip(wire, tagOffset); // a field newer than this schema: ignore it, as protobuf does
      continue;
    }
    const where = `${path}.${field.json} (field ${no})`;
    expectWire(wire, wireOf(field.type), where, tagOffset);
    const type = field.type;
    if (type.kind === 'map') {
      const entries = (out[field.json] ??= {}) as JsonMap;
      const [key, value] = decodeMapEntry(r.delimited(), type.entry, where);
      entries[key] = value;
    } else if (field.repeated) {
      const items = (out[field.json] ??= []) as Json[];
      const value = decodeValue(r, type, `${path}.${field.json}[${items.length}]`);
      items.push(value ?? {});
    } else {
      const value = decodeValue(r, type, `${path}.${field.json}`);
      if (value === undefined) delete out[field.json];
      else out[field.json] = value;
    }
  }
  // Mirror Go's encoding/json: drop zero values of omitempty fields, fill in non-omitempty ones.
  for (const field of msg.byNumber.values()) {
    if (field.repeated || field.type.kind !== 'scalar') continue;
    const value = out[field.json];
    if (field.presence === 'omitempty' && value !== undefined && isZero(value))
      delete out[field.json];
    if (field.presence === 'always' && value === undefined)
      out[field.json] = zeroOf(field.type.type);
  }
  return out;
}

/** Decodes one value; undefined for a zero timestamp (Go writes it as JSON null). */
function decodeValue(r: Reader, type: ValueType, path: string): Json | undefined {
  switch (type.kind) {
    case 'scalar':
      switch (type.type) {
        case 'string':
          return r.delimited().text();
        case 'bytes':
          return r.delimited().rest().toString('base64');
        case 'bool':
          return r.varint() !== 0n;
        case 'int32':
          return Number(BigInt.asIntN(32, r.varint()));
        case 'int64':
          return Number(BigInt.asIntN(64, r.varint()));
      }
      break;
    case 'time':
      return decodeTime(r.delimited(), type.micro, path);
    case 'fieldsV1': {
      const sub = r.delimited();
      let raw: Buffer | undefined;
      while (!sub.done) {
        const at = sub.pos;
        const { no, wire } = readTag(sub);
        if (no === 1) {
          expectWire(wire, WIRE_LEN, `${path}.Raw (field 1)`, at);
          raw = sub.delimited().rest();
        } else sub.skip(wire, at);
      }
      if (!raw || raw.length === 0) return undefined;
      try {
        return JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        throw new ProtobufError(`malformed protobuf message: ${path} does not hold valid JSON`);
      }
    }
    case 'message':
      return decodeMessage(r.delimited(), message(type.name), path);
  }
}

function decodeTime(r: Reader, micro: boolean, path: string): string | undefined {
  if (r.done) return undefined; // metav1.Time writes the zero time as an empty message
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const at = r.pos;
    const { no, wire } = readTag(r);
    if (no === 1 || no === 2) {
      expectWire(wire, WIRE_VARINT, `${path}.${no === 1 ? 'seconds' : 'nanos'} (field ${no})`, at);
      const v = r.varint();
      if (no === 1) seconds = BigInt.asIntN(64, v);
      else nanos = Number(BigInt.asIntN(32, v));
    } else r.skip(wire, at);
  }
  return formatTime(seconds, nanos, micro, path);
}

function decodeMapEntry(r: Reader, type: MapValueType, path: string): [string, Json] {
  let key = '';
  let value: Json = type === 'stringList' ? [] : '';
  while (!r.done) {
    const at = r.pos;
    const { no, wire } = readTag(r);
    if (no !== 1 && no !== 2) {
      r.skip(wire, at);
      continue;
    }
    expectWire(wire, WIRE_LEN, `${path} map ${no === 1 ? 'key' : 'value'}`, at);
    const sub = r.delimited();
    if (no === 1) key = sub.text();
    else if (type === 'string') value = sub.text();
    else if (type === 'bytes') value = sub.rest().toString('base64');
    else {
      const items: string[] = [];
      while (!sub.done) {
        const itemAt = sub.pos;
        const t = readTag(sub);
        if (t.no === 1) {
          expectWire(t.wire, WIRE_LEN, `${path} map value item`, itemAt);
          items.push(sub.delimited().text());
        } else sub.skip(t.wire, itemAt);
      }
      value = items;
    }
  }
  return [key, value];
}

function isZero(value: Json): boolean {
  return value === '' || value === 0 || value === false;
}

function zeroOf(type: ScalarType): Json {
  return type === 'bool' ? false : type === 'int32' || type === 'int64' ? 0 : '';
}

// ---- time --------------------------------------------------------------------------------------

const MIN_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

/** RFC 3339 in UTC: second precision for metav1.Time, microseconds for metav1.MicroTime. */
function formatTime(seconds: bigint, nanos: number, micro: boolean, path: string): string {
  const carry = Math.floor(nanos / 1e9);
  const s = seconds + BigInt(carry);
  const ns = nanos - carry * 1e9;
  if (s < MIN_SECONDS || s > MAX_SECONDS) {
    throw new ProtobufError(`protobuf timestamp ${path} (${seconds}s) is outside years 0001-9999`);
  }
  const base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(ns / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function parseTime(value: string, path: string): { seconds: bigint; nanos: number } {
  const m = RFC3339.exec(value);
  if (!m) throw new ProtobufError(`${path}: ${JSON.stringify(value)} is not an RFC 3339 time`);
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  let seconds = BigInt(date.getTime() / 1000);
  if (!m[8]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds -= BigInt(m[9] === '+' ? offset : -offset);
  }
  return { seconds, nanos: m[7] ? Number(m[7].padEnd(9, '0')) : 0 };
}

// ---- encoding (tests round-trip through this) --------------------------------------------------

/** Encodes a JSON object of a supported kind as kubectl would send it: magic + runtime.Unknown. */
export function encodeKubeProtobuf(obj: Record<string, unknown>): Buffer {
  const { apiVersion, kind, ...rest } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new ProtobufError('object to encode needs string apiVersion and kind');
  }
  const msg = messageForKind(apiVersion, kind);
  if (!msg) throw unsupported(apiVersion, kind);
  const raw = encodeMessage(rest, msg, kind);
  const typeMeta = new Writer();
  typeMeta.delimited(1, Buffer.from(apiVersion, 'utf8'));
  typeMeta.delimited(2, Buffer.from(kind, 'utf8'));
  const unknown = new Writer();
  unknown.delimited(1, typeMeta.finish());
  unknown.delimited(2, raw);
  unknown.delimited(3, Buffer.alloc(0)); // contentEncoding, empty as kubectl sends it
  unknown.delimited(4, Buffer.alloc(0)); // contentType, likewise
  return Buffer.concat([MAGIC, unknown.finish()]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function encodeMessage(obj: Record<string, unknown>, msg: Message, path: string): Buffer {
  for (const key of Object.keys(obj)) {
    if (!msg.byJson.has(key)) {
      throw new ProtobufError(
        `${path}.${key} is not a field of ${msg.name} in the simulator's protobuf schema`,
      );
    }
  }
  const w = new Writer();
  const fields = [...msg.byNumber.values()].sort((a, b) => a.no - b.no);
  for (const field of fields) {
    const value = obj[field.json];
    if (value === undefined || value === null) continue;
    const where = `${path}.${field.json}`;
    const type = field.type;
    if (type.kind === 'map') {
      if (!isPlainObject(value)) throw new ProtobufError(`${where} must be an object`);
      for (const [key, v] of Object.entries(value)) {
        const entry = new Writer();
        entry.delimited(1, Buffer.from(key, 'utf8'));
        entry.delimited(2, encodeMapValue(v, type.entry, `${where}[${JSON.stringify(key)}]`));
        w.delimited(field.no, entry.finish());
      }
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new ProtobufError(`${where} must be an array`);
      value.forEach((item: unknown, i) => encodeValue(w, field.no, type, item, `${where}[${i}]`));
    } else {
      encodeValue(w, field.no, type, value, where);
    }
  }
  return w.finish();
}

function encodeValue(w: Writer, no: number, type: ValueType, value: unknown, path: string): void {
  switch (type.kind) {
    case 'scalar':
      switch (type.type) {
        case 'string':
          if (typeof value !== 'string') throw new ProtobufError(`${path} must be a string`);
          w.delimited(no, Buffer.from(value, 'utf8'));
          return;
        case 'bytes':
          w.delimited(no, base64(value, path));
          return;
        case 'bool':
          if (typeof value !== 'boolean') throw new ProtobufError(`${path} must be a boolean`);
          w.tag(no, WIRE_VARINT);
          w.varint(value ? 1n : 0n);
          return;
        case 'int32':
        case 'int64': {
          const bits = type.type === 'int32' ? 32 : 64;
          if (
            typeof value !== 'number' ||
            !Number.isSafeInteger(value) ||
            BigInt.asIntN(bits, BigInt(value)) !== BigInt(value)
          ) {
            throw new ProtobufError(`${path} must be an ${type.type}`);
          }
          w.tag(no, WIRE_VARINT);
          w.varint(BigInt(value)); // negative numbers sign-extend to ten bytes, as protobuf wants
          return;
        }
      }
      return;
    case 'time': {
      if (typeof value !== 'string') throw new ProtobufError(`${path} must be an RFC 3339 string`);
      const { seconds, nanos } = parseTime(value, path);
      const t = new Writer();
      t.tag(1, WIRE_VARINT);
      t.varint(seconds);
      if (nanos !== 0) {
        t.tag(2, WIRE_VARINT);
        t.varint(BigInt(nanos));
      }
      w.delimited(no, t.finish());
      return;
    }
    case 'fieldsV1': {
      const f = new Writer();
      f.delimited(1, Buffer.from(JSON.stringify(value), 'utf8'));
      w.delimited(no, f.finish());
      return;
    }
    case 'message':
      if (!isPlainObject(value)) throw new ProtobufError(`${path} must be an object`);
      w.delimited(no, encodeMessage(value, message(type.name), path));
  }
}

function encodeMapValue(value: unknown, type: MapValueType, path: string): Buffer {
  if (type === 'bytes') return base64(value, path);
  if (type === 'string') {
    if (typeof value !== 'string') throw new ProtobufError(`${path} must be a string`);
    return Buffer.from(value, 'utf8');
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new ProtobufError(`${path} must be an array of strings`);
  }
  const w = new Writer();
  for (const item of value) w.delimited(1, Buffer.from(item, 'utf8'));
  return w.finish();
}

function base64(value: unknown, path: string): Buffer {
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(value) ||
    value.length % 4 !== 0
  ) {
    throw new ProtobufError(`${path} must be a base64 string`);
  }
  return Buffer.from(value, 'base64');
}
