/* The native core: Value's storage, its arithmetic and the plain backward pass, in C.

   The pure-Python engine (value.py's _PythonNode, backward.py's _run) is the reference: each
   kernel below is the op table's float function (ops.py, with ieee.py's helpers) written again
   statement for statement, so that every value and every gradient is the same float64, bit for
   bit (tests/test_native_core.py checks it against the pure engine on random graphs).  What is
   not on the hot path stays in Python: value.py's Value subclasses Node and adds the rest
   (properties, numbers out, comparisons, pickling), and an op this file has no kernel for runs
   the generated Python method.

   Node keeps the slots the Python engine keeps, under the same names (_data, grad, _op, _a, _b,
   _da, _db, _label, _rg, _mark), so every walker above (graph.walk, explain, draw, compile)
   reads a native graph as it reads a pure one.  The doubles are stored unboxed; _da and _db
   read as None when unset (an input that takes no gradient), as in the pure engine.

   Compiled with -ffp-contract=off (setup.py): a fused multiply-add would round differently
   from Python's separate * and +.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <string.h>

#include "_native_docs.h"  /* the methods' docstrings, written from the op table */

/* The fields a backward pass reads and writes come first, together: in a slab (new_value) they
   fill one cache line, so the walk and the sums touch one line per node. */
typedef struct NodeObject {
    PyObject_HEAD
    char has_da;           /* 0: _da reads None */
    char has_db;
    char rg;               /* requires_grad (leaves) */
    char untracked;        /* 1: this core took the node out of the collector's lists */
    struct NodeObject *a;  /* inputs (strong references) or NULL */
    struct NodeObject *b;
    PyObject *mark;        /* a walk's stamp, LIFTED, a trace's index, or NULL */
    double grad;
    double da;
    double db;
    double data;
    PyObject *op;          /* the op's name (str) or NULL for a leaf */
    PyObject *label;       /* str or NULL (reads as "") */
    PyObject *weakrefs;
    struct Slab *slab;     /* the slab it lives in (see new_value), or NULL */
} NodeObject;

typedef struct Slab Slab;

static PyTypeObject NodeType;

/* Set once by setup(), from value.py: the class every operation makes (Value), the list of
   open no_grad/detect_anomaly blocks, and the Python functions the rare paths call. */
static PyTypeObject *value_type = NULL;
static PyObject *special_modes = NULL;  /* list: non-empty while a block is open anywhere */
static PyObject *special_node = NULL;   /* (out, op, a, b, da, db) -> Value */
static PyObject *lift_fn = NULL;        /* value._lift: a number -> constant leaf, or NotImplemented */
static PyObject *to_float_fn = NULL;    /* value.to_float: the checked conversion, with its errors */
static PyObject *lifted_mark = NULL;    /* value.LIFTED */
static PyObject *tracing = NULL;        /* value.tracing: non-empty while autograd.compile traces */
static PyObject *trace_hook = NULL;     /* value.trace_hook(v, how) */
static PyObject *data_number = NULL;    /* value._data_number: `v.data = x` for a non-float x */
static PyObject *empty_str = NULL;

enum {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_POWC, OP_NEG, OP_ABS, OP_EXP, OP_EXPM1, OP_LOG,
    OP_LOG1P, OP_SIN, OP_COS, OP_TANH, OP_SIGMOID, OP_RELU, OP_SOFTPLUS, OP_SQRT, OP_MAXIMUM,
    OP_MINIMUM, N_OPS
};

/* The op table's names (ops.OPS keys), in the order of the enum. */
static const char *op_names[N_OPS] = {
    "+", "-", "*", "/", "**", "**c", "neg", "abs", "exp", "expm1", "log", "log1p", "sin", "cos",
    "tanh", "sigmoid", "relu", "softplus", "sqrt", "maximum", "minimum",
};
static PyObject *op_strings[N_OPS];

#define IS_NODE(o) (Py_TYPE(o) == value_type || PyObject_TypeCheck((o), &NodeType))

/* --- the kernels: ops.py's forward functions, with ieee.py's helpers ---------- */

static double safe_div(double x, double y) {
    if (y == 0.0) {
        if (x != x || x == 0.0)
            return Py_NAN;
        return copysign(Py_HUGE_VAL, x) * copysign(1.0, y);
    }
    return x / y;
}

static int is_odd_integer(double y) {
    return isfinite(y) && y == floor(y) && fmod(y, 2.0) != 0.0;
}

/* ieee.safe_pow: math.pow, whose errors become C99's answers.  math.pow hands finite operands
   to libm's pow and answers the non-finite cases itself, as C99 specifies them (glibc's pow
   gives the same); it raises where the result is nan or inf from finite operands. */
static double safe_pow(double x, double y) {
    double r;
    if (!isfinite(x) || !isfinite(y)) {
        /* math.pow's own table for infinities and nans */
        if (isnan(x))
            return y == 0.0 ? 1.0 : x;
        if (isnan(y))
            return x == 1.0 ? 1.0 : y;
        if (isinf(x)) {
            int odd_y = isfinite(y) && fmod(fabs(y), 2.0) == 1.0;
            if (y > 0.0)
                return odd_y ? x : fabs(x);
            if (y == 0.0)
                return 1.0;
            return odd_y ? copysign(0.0, x) : 0.0;
        }
        /* y is infinite */
        if (fabs(x) == 1.0)
            return 1.0;
        if (y > 0.0 && fabs(x) > 1.0)
            return y;
        if (y < 0.0 && fabs(x) < 1.0)
            return -y;
        return 0.0;
    }
    r = pow(x, y);
    if (isfinite(r))
        return r;
    if (isnan(r))  /* ValueError: a negative base to a fraction */
        return x == 0.0 ? (is_odd_integer(y) ? copysign(Py_HUGE_VAL, x) : Py_HUGE_VAL) : Py_NAN;
    if (x == 0.0)  /* ValueError: zero to a negative power is a pole */
        return is_odd_integer(y) ? copysign(Py_HUGE_VAL, x) : Py_HUGE_VAL;
    /* OverflowError */
    return (x < 0.0 && is_odd_integer(y)) ? -Py_HUGE_VAL : Py_HUGE_VAL;
}

static double safe_log(double x) {
    if (x > 0.0)
        return log(x);
    if (x == 0.0)
        return -Py_HUGE_VAL;
    return Py_NAN;
}

static double math_exp(double x) {
    return exp(x);  /* math.exp: libm's exp; its overflow (OverflowError) is inf, as safe_exp */
}

static double sigmoid_float(double x) {
    double z;
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    z = math_exp(x);
    return z / (1.0 + z);
}

/* out, da, db for op k at (x, y); *has_db is cleared for "**c" (its exponent takes none) */
/* Inlined into each operator's function, where k is a constant: the switch folds away. */
#if defined(__GNUC__) || defined(__clang__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

HOT double kernel(int k, double x, double y, double *da, double *db) {
    double out, t;
    switch (k) {
    case OP_ADD: *da = 1.0; *db = 1.0; return x + y;
    case OP_SUB: *da = 1.0; *db = -1.0; return x - y;
    case OP_MUL: *da = y; *db = x; return x * y;
    case OP_DIV:
        out = safe_div(x, y);
        *da = safe_div(1.0, y);
        *db = safe_div(-out, y);
        return out;
    case OP_POWC:
        out = safe_pow(x, y);
        *da = y == 0.0 ? 0.0 : y * safe_pow(x, y - 1.0);
        return out;
    case OP_POW:
        out = safe_pow(x, y);
        *da = y == 0.0 ? 0.0 : y * safe_pow(x, y - 1.0);
        *db = (x == 0.0 && y >= 0.0) ? 0.0 : out * safe_log(x);
        return out;
    case OP_NEG: *da = -1.0; return -x;
    case OP_ABS: *da = x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; return fabs(x);
    case OP_EXP: out = math_exp(x); *da = out; return out;
    case OP_EXPM1: out = expm1(x); *da = out + 1.0; return out;
    case OP_LOG: *da = safe_div(1.0, x); return safe_log(x);
    case OP_LOG1P:
        *da = safe_div(1.0, x + 1.0);
        return x > -1.0 ? log1p(x) : x == -1.0 ? -Py_HUGE_VAL : Py_NAN;
    case OP_SIN:
        *da = isfinite(x) ? cos(x) : Py_NAN;
        return isfinite(x) ? sin(x) : Py_NAN;
    case OP_COS:
        *da = -(isfinite(x) ? sin(x) : Py_NAN);
        return isfinite(x) ? cos(x) : Py_NAN;
    case OP_TANH: t = tanh(x); *da = 1.0 - t * t; return t;
    case OP_SIGMOID: t = sigmoid_float(x); *da = t * (1.0 - t); return t;
    case OP_RELU: *da = x > 0.0 ? 1.0 : 0.0; return !(x <= 0.0) ? x : 0.0;
    case OP_SOFTPLUS:
        *da = sigmoid_float(x);
        if (x != x)
            return x;
        return (x > 0.0 ? x : 0.0) + log1p(exp(-fabs(x)));
    case OP_SQRT:
        out = x >= 0.0 ? sqrt(x) : Py_NAN;
        *da = safe_div(0.5, out);
        return out;
    case OP_MAXIMUM:
        out = x >= y ? x : y > x ? y : x + y;
        if (x == y) { *da = 0.5; *db = 0.5; }
        else { *da = x < y ? 0.0 : 1.0; *db = x > y ? 0.0 : 1.0; }
        return out;
    case OP_MINIMUM:
        out = x <= y ? x : y < x ? y : x + y;
        if (x == y) { *da = 0.5; *db = 0.5; }
        else { *da = x > y ? 0.0 : 1.0; *db = x < y ? 0.0 : 1.0; }
        return out;
    }
    return Py_NAN;  /* not reached */
}

/* --- making nodes ---------- */

/* Where nodes live.  A graph is built node after node and, in training, freed whole at the
   next step, when one about as large is built again.  pymalloc returns the freed memory to the
   system and the next graph faults fresh pages in (a third of the time to build a node), and a
   list of single freed nodes would hand them back in a scrambled order, so the walks of later
   graphs would jump around in memory.  So the nodes arithmetic makes come from slabs of
   SLAB_NODES slots, taken in address order: a slab whose nodes are all freed is reused from
   its start, and up to SPARE_SLABS empty slabs (16 MB) are kept for the next graph.  A node made
   by Value(x) or object.__new__ (leaves, mostly) is an ordinary object (slab == NULL).

   A slot holds the collector's header, two words before the object as CPython lays out every
   collected object; where that layout is not known, nodes are ordinary objects. */
#if !defined(NO_SLABS) && PY_VERSION_HEX >= 0x030A0000 && PY_VERSION_HEX < 0x030E0000 \
    && !defined(Py_GIL_DISABLED)
#define USE_SLABS 1
#else
#define USE_SLABS 0
#endif
#define SLAB_NODES 128
#define GC_HEAD (2 * sizeof(uintptr_t))
#define SLOT_SIZE ((GC_HEAD + sizeof(NodeObject) + 15) / 16 * 16)
#define SPARE_SLABS 1024
#define LINE 64
#define SLOT_SHIFT (GC_HEAD + offsetof(NodeObject, has_da))

struct Slab {
    struct Slab *next;    /* in the list of spare slabs */
    Py_ssize_t used;      /* slots handed out, in address order */
    Py_ssize_t live;      /* of which not yet freed */
    char *memory;         /* as allocated */
    char *slots;          /* SLAB_NODES slots of SLOT_SIZE bytes, placed in `memory` so that
                             each node's backward fields (from has_da to db) fill one cache line */
};

#if USE_SLABS
static Slab *current_slab = NULL;
static Slab *spare_slabs = NULL;
static Py_ssize_t n_spare = 0;

static Slab *slab_new(void) {
    Slab *slab;
    if (spare_slabs != NULL) {
        slab = spare_slabs;
        spare_slabs = slab->next;
        n_spare--;
        return slab;
    }
    slab = PyMem_RawMalloc(sizeof(Slab));
    if (slab == NULL)
        return NULL;
    slab->memory = PyMem_RawMalloc(SLAB_NODES * SLOT_SIZE + 2 * LINE);
    if (slab->memory == NULL) {
        PyMem_RawFree(slab);
        return NULL;
    }
    /* a slot starts SLOT_SHIFT bytes before a line, so that its object's fields from has_da
       (after the collector's header and the object's own) start a line */
    slab->slots = (char *)((((uintptr_t)slab->memory + LINE - 1) & ~(uintptr_t)(LINE - 1))
                           + LINE - SLOT_SHIFT);
    slab->used = slab->live = 0;
    return slab;
}

/* The last node of `slab` was freed: keep it for reuse (from its start), or free it. */
static void slab_empty(Slab *slab) {
    slab->used = 0;
    if (slab == current_slab)
        return;
    if (n_spare < SPARE_SLABS) {
        slab->next = spare_slabs;
        spare_slabs = slab;
        n_spare++;
        return;
    }
    PyMem_RawFree(slab->memory);
    PyMem_RawFree(slab);
}
#endif

/* A node of class Value, every field set by the caller; outside the collector's lists until
   settle() decides. */
static NodeObject *new_value(void) {
    NodeObject *v;
#if USE_SLABS
    char *slot;
    if (current_slab == NULL || current_slab->used == SLAB_NODES) {
        Slab *slab = slab_new();
        if (slab == NULL)
            return (NodeObject *)PyErr_NoMemory();
        /* The full slab left behind goes to the spares when its last node is freed. */
        current_slab = slab;
    }
    slot = current_slab->slots + current_slab->used * SLOT_SIZE;
    current_slab->used++;
    current_slab->live++;
    memset(slot, 0, GC_HEAD);  /* the collector's header: not in its lists */
    v = (NodeObject *)(slot + GC_HEAD);
#if defined(Py_DEBUG) || defined(Py_TRACE_REFS) || PY_VERSION_HEX >= 0x030C0000
    PyObject_Init((PyObject *)v, value_type);  /* refcount 1, and a reference to the class */
#else
    /* PyObject_Init's work, written out: tracemalloc already knows the slab's memory */
    Py_SET_TYPE(v, value_type);
    Py_INCREF(value_type);
    Py_SET_REFCNT(v, 1);
#endif
    v->slab = current_slab;
#else
    v = PyObject_GC_New(NodeObject, value_type);
    if (v == NULL)
        return NULL;
    v->slab = NULL;
#endif
    v->weakrefs = NULL;
    v->untracked = 1;
    return v;
}

/* Garbage collection.  A graph holds no cycles of its own (inputs exist before the nodes that use
   them), so the collector has nothing to find in it, yet a tracked node costs every collection a
   visit: in a graph of 10^5 nodes the full collections that its growth sets off cost more than
   building it.  So, as CPython does for tuples of atoms, a node stays out of the collector's
   lists while nothing it holds could lead back to it: it is exactly a Value (no __dict__) and
   holds no tracked object.  A node that does (a user's subclass with attributes as an input, an
   object stored in _mark) is tracked, and so is every node made from it. */
static int tracked(PyObject *o) {
    return o != NULL && PyObject_GC_IsTracked(o);
}

/* Whether node x may be tracked: only what this core untracked is known not to be (a node made
   by object.__new__ is tracked, with untracked == 0). */
static int node_tracked(NodeObject *x) {
    return x != NULL && !x->untracked;
}

/* A node fresh from new_value() (untracked): track it unless it is atomic. */
static void settle(NodeObject *v) {
    if (node_tracked(v->a) || node_tracked(v->b) || tracked(v->mark)) {
        v->untracked = 0;
        PyObject_GC_Track(v);
    }
}

/* A node made by object.__new__ (tracked): untrack it if it is atomic (Value(x)). */
static void untrack_if_atomic(NodeObject *v) {
    if (Py_TYPE(v) == value_type && !node_tracked(v->a) && !node_tracked(v->b)
        && !tracked(v->mark) && !tracked(v->op) && PyObject_GC_IsTracked((PyObject *)v)) {
        PyObject_GC_UnTrack(v);
        v->untracked = 1;
    }
}

/* After a store from Python: a tracked object in a slot makes the node tracked again. */
static void track_if_holding(NodeObject *v, PyObject *stored) {
    if (v->untracked && tracked(stored)) {
        v->untracked = 0;
        PyObject_GC_Track(v);
    }
}

/* Record the node for op k on inputs a (and b, or NULL).  Borrowed a, b. */
static PyObject *record(int k, double out, NodeObject *a, NodeObject *b, double da, double db,
                        int has_db) {
    NodeObject *v;
    if (PyList_GET_SIZE(special_modes)) {
        /* a no_grad or detect_anomaly block is open somewhere: modes.special_node decides */
        PyObject *o_out = PyFloat_FromDouble(out), *o_da = PyFloat_FromDouble(da);
        PyObject *o_db = has_db ? PyFloat_FromDouble(db) : (Py_INCREF(Py_None), Py_None);
        PyObject *res = NULL;
        if (o_out && o_da && o_db)
            res = PyObject_CallFunctionObjArgs(special_node, o_out, op_strings[k], (PyObject *)a,
                                               b ? (PyObject *)b : Py_None, o_da, o_db, NULL);
        Py_XDECREF(o_out);
        Py_XDECREF(o_da);
        Py_XDECREF(o_db);
        return res;
    }
    v = new_value();
    if (v == NULL)
        return NULL;
    v->data = out;
    v->grad = 0.0;
    v->da = da;
    v->has_da = 1;
    v->db = db;
    v->has_db = (char)has_db;
    Py_INCREF(a);
    v->a = a;
    Py_XINCREF(b);
    v->b = b;
    Py_INCREF(op_strings[k]);
    v->op = op_strings[k];
    Py_INCREF(empty_str);
    v->label = empty_str;
    v->mark = NULL;
    v->rg = 1;
    settle(v);
    return (PyObject *)v;
}

/* A constant leaf for a plain number met in arithmetic (value._constant). */
static NodeObject *constant(double x) {
    NodeObject *v = new_value();
    if (v == NULL)
        return NULL;
    v->data = x;
    v->grad = 0.0;
    v->da = v->db = 0.0;
    v->has_da = v->has_db = 0;
    v->a = v->b = NULL;
    v->op = NULL;
    Py_INCREF(empty_str);
    v->label = empty_str;
    Py_INCREF(lifted_mark);
    v->mark = lifted_mark;
    v->rg = 0;
    settle(v);
    return v;
}

/* value._lift: a new reference to a Node, Py_NotImplemented (new reference), or NULL on error. */
static PyObject *lift(PyObject *x) {
    if (PyFloat_CheckExact(x))
        return (PyObject *)constant(PyFloat_AS_DOUBLE(x));
    if (IS_NODE(x)) {
        Py_INCREF(x);
        return x;
    }
    if (PyLong_CheckExact(x)) {
        double d = PyLong_AsDouble(x);
        if (!(d == -1.0 && PyErr_Occurred()))
            return (PyObject *)constant(d);
        PyErr_Clear();  /* beyond float64: the Python path names the error */
    }
    return PyObject_CallOneArg(lift_fn, x);
}

/* x op y for a binary op k, either operand possibly a plain number. */
HOT PyObject *binary(int k, PyObject *x, PyObject *y) {
    PyObject *lx, *ly, *res;
    double out, da, db;
    if (IS_NODE(x) && IS_NODE(y)) {
        out = kernel(k, ((NodeObject *)x)->data, ((NodeObject *)y)->data, &da, &db);
        return record(k, out, (NodeObject *)x, (NodeObject *)y, da, db, 1);
    }
    lx = lift(x);
    if (lx == NULL)
        return NULL;
    if (lx == Py_NotImplemented)
        return lx;
    ly = lift(y);
    if (ly == NULL || ly == Py_NotImplemented) {
        Py_DECREF(lx);
        return ly;
    }
    out = kernel(k, ((NodeObject *)lx)->data, ((NodeObject *)ly)->data, &da, &db);
    res = record(k, out, (NodeObject *)lx, (NodeObject *)ly, da, db, 1);
    Py_DECREF(lx);
    Py_DECREF(ly);
    return res;
}

HOT PyObject *unary(int k, PyObject *self) {
    double da, db = 0.0;
    double out = kernel(k, ((NodeObject *)self)->data, 0.0, &da, &db);
    return record(k, out, (NodeObject *)self, NULL, da, 0.0, 0);
}

static PyObject *nb_add(PyObject *x, PyObject *y) { return binary(OP_ADD, x, y); }
static PyObject *nb_sub(PyObject *x, PyObject *y) { return binary(OP_SUB, x, y); }
static PyObject *nb_mul(PyObject *x, PyObject *y) { return binary(OP_MUL, x, y); }
static PyObject *nb_div(PyObject *x, PyObject *y) { return binary(OP_DIV, x, y); }
static PyObject *nb_neg(PyObject *x) { return unary(OP_NEG, x); }
static PyObject *nb_abs(PyObject *x) { return unary(OP_ABS, x); }

/* x ** y: a Value exponent is the "**" op; a plain-number exponent a constant ("**c"); a plain
   number base (2 ** x) is lifted and raised with "**". */
static PyObject *nb_pow(PyObject *x, PyObject *y, PyObject *mod) {
    PyObject *lifted, *res;
    double out, da, db = 0.0;
    if (mod != Py_None)
        Py_RETURN_NOTIMPLEMENTED;
    if (IS_NODE(x) && !IS_NODE(y)) {
        lifted = lift(y);
        if (lifted == NULL || lifted == Py_NotImplemented)
            return lifted;
        out = kernel(OP_POWC, ((NodeObject *)x)->data, ((NodeObject *)lifted)->data, &da, &db);
        res = record(OP_POWC, out, (NodeObject *)x, (NodeObject *)lifted, da, 0.0, 0);
        Py_DECREF(lifted);
        return res;
    }
    return binary(OP_POW, x, y);
}

#define UNARY_METHOD(name, k) \
    static PyObject *m_##name(PyObject *self, PyObject *Py_UNUSED(ignored)) { \
        return unary(k, self); \
    }
UNARY_METHOD(exp, OP_EXP)
UNARY_METHOD(expm1, OP_EXPM1)
UNARY_METHOD(log, OP_LOG)
UNARY_METHOD(log1p, OP_LOG1P)
UNARY_METHOD(sin, OP_SIN)
UNARY_METHOD(cos, OP_COS)
UNARY_METHOD(tanh, OP_TANH)
UNARY_METHOD(sigmoid, OP_SIGMOID)
UNARY_METHOD(relu, OP_RELU)
UNARY_METHOD(softplus, OP_SOFTPLUS)
UNARY_METHOD(sqrt, OP_SQRT)

static PyObject *m_maximum(PyObject *self, PyObject *other) { return binary(OP_MAXIMUM, self, other); }
static PyObject *m_minimum(PyObject *self, PyObject *other) { return binary(OP_MINIMUM, self, other); }

/* --- construction: Value(data, label="", requires_grad=True) ---------- */

static int set_number(NodeObject *self, PyObject *data) {
    PyObject *f;
    if (PyFloat_CheckExact(data)) {
        self->data = PyFloat_AS_DOUBLE(data);
        return 0;
    }
    if (PyLong_CheckExact(data)) {
        double d = PyLong_AsDouble(data);
        if (!(d == -1.0 && PyErr_Occurred())) {
            self->data = d;
            return 0;
        }
        PyErr_Clear();  /* beyond float64: value.to_float names the error */
    }
    f = PyObject_CallOneArg(to_float_fn, data);  /* the checks and the errors of value.to_float */
    if (f == NULL)
        return -1;
    self->data = PyFloat_AsDouble(f);
    Py_DECREF(f);
    return PyErr_Occurred() ? -1 : 0;
}

static int Node_init(NodeObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"data", "label", "requires_grad", NULL};
    PyObject *data, *label = NULL, *rg = NULL;
    if (kwds == NULL && PyTuple_GET_SIZE(args) == 1) {
        data = PyTuple_GET_ITEM(args, 0);
    } else if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO:Value", kwlist, &data, &label,
                                            &rg)) {
        return -1;
    }
    if (set_number(self, data) < 0)
        return -1;
    self->grad = 0.0;
    Py_CLEAR(self->op);
    Py_CLEAR(self->a);
    Py_CLEAR(self->b);
    Py_CLEAR(self->mark);
    self->has_da = self->has_db = 0;
    self->da = self->db = 0.0;
    if (label == NULL) {
        label = empty_str;
    } else if (!PyUnicode_Check(label)) {
        PyErr_Format(PyExc_TypeError, "label must be a str, got %s", Py_TYPE(label)->tp_name);
        return -1;
    }
    Py_INCREF(label);
    Py_XSETREF(self->label, label);
    if (rg == NULL || rg == Py_True) {
        self->rg = 1;
    } else if (rg == Py_False) {
        self->rg = 0;
    } else {
        PyErr_Format(PyExc_TypeError, "requires_grad must be True or False, got %s",
                     Py_TYPE(rg)->tp_name);
        return -1;
    }
    untrack_if_atomic(self);
    return 0;
}

/* --- the slots as attributes ---------- */

static PyObject *get_input(NodeObject *x) {
    PyObject *o = x ? (PyObject *)x : Py_None;
    Py_INCREF(o);
    return o;
}

static int set_input(NodeObject **slot, PyObject *value) {
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a Value's inputs cannot be deleted");
        return -1;
    }
    if (value != Py_None && !IS_NODE(value)) {
        PyErr_Format(PyExc_TypeError, "a Value's input must be a Value or None, got %s",
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_XSETREF(*slot, value == Py_None ? NULL : (NodeObject *)(Py_NewRef(value)));
    return 0;
}

static PyObject *get_a(NodeObject *self, void *c) { return get_input(self->a); }
static PyObject *get_b(NodeObject *self, void *c) { return get_input(self->b); }

static int set_a(NodeObject *self, PyObject *v, void *c) {
    if (set_input(&self->a, v) < 0)
        return -1;
    track_if_holding(self, v);
    return 0;
}

static int set_b(NodeObject *self, PyObject *v, void *c) {
    if (set_input(&self->b, v) < 0)
        return -1;
    track_if_holding(self, v);
    return 0;
}

/* _op and _mark: any object (None reads for NULL), as the pure engine's slots hold. */
static PyObject *get_object(PyObject *o) {
    return Py_NewRef(o != NULL ? o : Py_None);
}

static int set_object(NodeObject *self, PyObject **slot, PyObject *value) {
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a Value's slots cannot be deleted");
        return -1;
    }
    Py_XSETREF(*slot, value == Py_None ? NULL : Py_NewRef(value));
    track_if_holding(self, value);
    return 0;
}

static PyObject *get_op(NodeObject *self, void *c) { return get_object(self->op); }
static PyObject *get_mark(NodeObject *self, void *c) { return get_object(self->mark); }
static int set_op(NodeObject *self, PyObject *v, void *c) { return set_object(self, &self->op, v); }
static int set_mark(NodeObject *self, PyObject *v, void *c) { return set_object(self, &self->mark, v); }

static PyObject *get_local(double d, char has) {
    if (!has)
        Py_RETURN_NONE;
    return PyFloat_FromDouble(d);
}

static int set_local(double *d, char *has, PyObject *value) {
    double x;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a Value's local derivatives cannot be deleted");
        return -1;
    }
    if (value == Py_None) {
        *has = 0;
        *d = 0.0;
        return 0;
    }
    x = PyFloat_AsDouble(value);
    if (x == -1.0 && PyErr_Occurred())
        return -1;
    *d = x;
    *has = 1;
    return 0;
}

static PyObject *get_da(NodeObject *self, void *c) { return get_local(self->da, self->has_da); }
static PyObject *get_db(NodeObject *self, void *c) { return get_local(self->db, self->has_db); }
static int set_da(NodeObject *self, PyObject *v, void *c) { return set_local(&self->da, &self->has_da, v); }
static int set_db(NodeObject *self, PyObject *v, void *c) { return set_local(&self->db, &self->has_db, v); }

static PyObject *get_label(NodeObject *self, void *c) {
    return Py_NewRef(self->label ? self->label : empty_str);
}

static int set_label(NodeObject *self, PyObject *value, void *c) {
    if (value == NULL || !PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "label must be a str, got %s",
                     value ? Py_TYPE(value)->tp_name : "nothing");
        return -1;
    }
    Py_XSETREF(self->label, Py_NewRef(value));
    return 0;
}

/* `data`: the number, read and written as the pure engine's property does (value.py's
   _PythonNode.data): a running trace hears of every read and write by code outside the engine,
   and a stored number becomes a float64. */
static int heard(NodeObject *self, const char *how) {
    PyObject *res;
    if (PyList_GET_SIZE(tracing) == 0)
        return 0;
    res = PyObject_CallFunction(trace_hook, "Os", (PyObject *)self, how);
    if (res == NULL)
        return -1;
    Py_DECREF(res);
    return 0;
}

static PyObject *get_data(NodeObject *self, void *c) {
    if (heard(self, ".data") < 0)
        return NULL;
    return PyFloat_FromDouble(self->data);
}

static int set_data(NodeObject *self, PyObject *value, void *c) {
    PyObject *f;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a Value's data cannot be deleted");
        return -1;
    }
    if (heard(self, ".data =") < 0)
        return -1;
    if (PyFloat_CheckExact(value)) {
        self->data = PyFloat_AS_DOUBLE(value);
        return 0;
    }
    f = PyObject_CallOneArg(data_number, value);
    if (f == NULL)
        return -1;
    self->data = PyFloat_AsDouble(f);
    Py_DECREF(f);
    return PyErr_Occurred() ? -1 : 0;
}

static PyGetSetDef Node_getset[] = {
    {"data", (getter)get_data, (setter)set_data, "The number this Value holds.", NULL},
    {"_a", (getter)get_a, (setter)set_a, "The first input (None for a leaf).", NULL},
    {"_b", (getter)get_b, (setter)set_b, "The second input (None for a leaf or a one-input op).", NULL},
    {"_da", (getter)get_da, (setter)set_da, "d(self)/d(_a), or None.", NULL},
    {"_db", (getter)get_db, (setter)set_db, "d(self)/d(_b), or None.", NULL},
    {"_label", (getter)get_label, (setter)set_label, "The label's storage.", NULL},
    {"_op", (getter)get_op, (setter)set_op, "The op's name; None for a leaf.", NULL},
    {"_mark", (getter)get_mark, (setter)set_mark, "The last graph walk's stamp.", NULL},
    {NULL}
};

static PyMemberDef Node_members[] = {
    {"_data", T_DOUBLE, offsetof(NodeObject, data), 0, "The number (`data` reads it)."},
    {"grad", T_DOUBLE, offsetof(NodeObject, grad), 0,
     "d(root)/d(this Value) after root.backward()."},
    {"_rg", T_BOOL, offsetof(NodeObject, rg), 0, "requires_grad of a leaf."},
    {NULL}
};

static PyMethodDef Node_methods[] = {
    {"exp", m_exp, METH_NOARGS, DOC_exp},
    {"expm1", m_expm1, METH_NOARGS, DOC_expm1},
    {"log", m_log, METH_NOARGS, DOC_log},
    {"log1p", m_log1p, METH_NOARGS, DOC_log1p},
    {"sin", m_sin, METH_NOARGS, DOC_sin},
    {"cos", m_cos, METH_NOARGS, DOC_cos},
    {"tanh", m_tanh, METH_NOARGS, DOC_tanh},
    {"sigmoid", m_sigmoid, METH_NOARGS, DOC_sigmoid},
    {"relu", m_relu, METH_NOARGS, DOC_relu},
    {"softplus", m_softplus, METH_NOARGS, DOC_softplus},
    {"sqrt", m_sqrt, METH_NOARGS, DOC_sqrt},
    {"maximum", m_maximum, METH_O, DOC_maximum},
    {"minimum", m_minimum, METH_O, DOC_minimum},
    {NULL}
};

static PyNumberMethods Node_as_number = {
    .nb_add = nb_add,
    .nb_subtract = nb_sub,
    .nb_multiply = nb_mul,
    .nb_true_divide = nb_div,
    .nb_power = nb_pow,
    .nb_negative = nb_neg,
    .nb_absolute = nb_abs,
};

static int Node_traverse(NodeObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->a);
    Py_VISIT(self->b);
    Py_VISIT(self->mark);
    return 0;
}

static int Node_clear(NodeObject *self) {
    Py_CLEAR(self->a);
    Py_CLEAR(self->b);
    Py_CLEAR(self->mark);
    return 0;
}

static void Node_dealloc(NodeObject *self) {
    PyObject_GC_UnTrack(self);  /* a no-op on an untracked node */
    Py_TRASHCAN_BEGIN(self, Node_dealloc)
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    Py_CLEAR(self->a);
    Py_CLEAR(self->b);
    Py_CLEAR(self->op);
    Py_CLEAR(self->label);
    Py_CLEAR(self->mark);
#if USE_SLABS
    if (self->slab != NULL) {
        /* (subtype_dealloc releases the class's reference after this returns) */
        if (--self->slab->live == 0)
            slab_empty(self->slab);
    } else
#endif
    {
        Py_TYPE(self)->tp_free((PyObject *)self);
    }
    Py_TRASHCAN_END
}

static PyTypeObject NodeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "autograd.core._native.Node",
    .tp_doc = PyDoc_STR("A Value's storage and arithmetic, in C (value.Value subclasses it)."),
    .tp_basicsize = sizeof(NodeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_init = (initproc)Node_init,
    .tp_dealloc = (destructor)Node_dealloc,
    .tp_traverse = (traverseproc)Node_traverse,
    .tp_clear = (inquiry)Node_clear,
    .tp_weaklistoffset = offsetof(NodeObject, weakrefs),
    .tp_as_number = &Node_as_number,
    .tp_methods = Node_methods,
    .tp_members = Node_members,
    .tp_getset = Node_getset,
};

/* --- backward: graph.walk(root, leaves=False, reset=True) and backward._run, fused ---------- */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

typedef struct {
    NodeObject **items;
    Py_ssize_t n, cap;
} Stack;

/* Make room for one more item (the rare path of PUSH). */
static int grow(Stack *s) {
    Py_ssize_t cap = s->cap ? 2 * s->cap : 1024;
    NodeObject **items = PyMem_Realloc(s->items, cap * sizeof(NodeObject *));
    if (items == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    s->items = items;
    s->cap = cap;
    return 0;
}

#define PUSH(s, v) (((s)->n < (s)->cap || grow(s) == 0) ? ((s)->items[(s)->n++] = (v), 0) : -1)

static inline void stamp(NodeObject *v, PyObject *token) {
    Py_INCREF(token);
    Py_XSETREF(v->mark, token);
}

/* A node on the walk's stack whose first input has been looked at carries this bit (nodes are
   aligned, so the pointer's low bit is free). */
#define A_DONE ((uintptr_t)1)
#define NODE_OF(item) ((NodeObject *)((uintptr_t)(item) & ~A_DONE))

PyDoc_STRVAR(backward_pass_doc,
"backward_pass(root, seed)\n--\n\n"
"The plain backward pass from interior node root: the same walk as graph.walk (same order, same\n"
"stamps) and the same sums as backward._run, in C.  The caller holds graph.walk_lock.");

static PyObject *backward_pass(PyObject *module, PyObject *args) {
    PyObject *root_obj, *token;
    double seed;
    NodeObject *root, *v;
    Stack stack = {0}, order = {0}, frozen = {0};
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "O!d:backward_pass", &NodeType, &root_obj, &seed))
        return NULL;
    root = (NodeObject *)root_obj;
    if (root->a == NULL) {
        PyErr_SetString(PyExc_ValueError, "backward_pass() needs an interior node");
        return NULL;
    }
    token = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
    if (token == NULL)
        return NULL;
    Py_INCREF(root);  /* the graph stays alive while the pass runs, whatever a mark's release does */
    stamp(root, token);
    if (PUSH(&stack, root) < 0)
        goto error;
    /* graph.walk's loop: descend into the first input not yet stamped (a before b), list a node
       once both are done.  A stamped input is already listed or on the stack; a leaf is done the
       moment it is stamped (one taking no gradient is noted, to be reset to 0 at the end). */
    while (stack.n) {
        NodeObject **top = &stack.items[stack.n - 1];
        NodeObject *x;
        v = NODE_OF(*top);
        if (!((uintptr_t)*top & A_DONE)) {
            *top = (NodeObject *)((uintptr_t)v | A_DONE);
            x = v->a;
            if (x->mark != token) {
                stamp(x, token);
                if (x->a != NULL) {
                    PREFETCH(x->a);  /* x is visited next: start fetching its inputs */
                    PREFETCH(x->b);
                    if (PUSH(&stack, x) < 0)
                        goto error;
                    continue;
                }
                if (!x->rg && PUSH(&frozen, x) < 0)
                    goto error;
            }
        }
        x = v->b;
        if (x != NULL && x->mark != token) {
            stamp(x, token);
            if (x->a != NULL) {
                PREFETCH(x->a);
                PREFETCH(x->b);
                if (PUSH(&stack, x) < 0)
                    goto error;
                continue;
            }
            if (!x->rg && PUSH(&frozen, x) < 0)
                goto error;
        }
        stack.n--;
        v->grad = 0.0;
        if (PUSH(&order, v) < 0)
            goto error;
    }
    root->grad = seed;
    for (k = order.n - 1; k >= 0; k--) {
        double g;
        if (k >= 8) {  /* a few nodes ahead: the node, then (once it is in) its inputs */
            PREFETCH(order.items[k - 8]);
            PREFETCH(order.items[k - 4]->a);
            PREFETCH(order.items[k - 4]->b);
        }
        v = order.items[k];
        g = v->grad;
        if (v->has_da)
            v->a->grad += v->da * g;
        if (v->has_db)
            v->b->grad += v->db * g;
    }
    for (k = 0; k < frozen.n; k++)  /* a leaf that takes no gradient keeps 0 */
        frozen.items[k]->grad = 0.0;
    PyMem_Free(stack.items);
    PyMem_Free(order.items);
    PyMem_Free(frozen.items);
    Py_DECREF(token);
    Py_DECREF(root);
    Py_RETURN_NONE;
error:
    PyMem_Free(stack.items);
    PyMem_Free(order.items);
    PyMem_Free(frozen.items);
    Py_DECREF(token);
    Py_DECREF(root);
    return NULL;
}

PyDoc_STRVAR(setup_doc,
"setup(value_class, special_modes, special_node, lift, to_float, lifted, tracing, trace_hook,\n"
"      data_number)\n--\n\n"
"Connect the core to value.py: the class operations make, the list of open no_grad /\n"
"detect_anomaly blocks and the node maker for them, the lifting of plain numbers, the checked\n"
"float conversion, the mark of a lifted constant, the list that is non-empty while a trace\n"
"runs and the hook that tells it, and the check of a number stored in `data`.");

static PyObject *setup(PyObject *module, PyObject *args) {
    PyObject *cls, *modes, *node_fn, *lift, *to_float, *lifted, *trace_list, *hook, *number;
    if (!PyArg_ParseTuple(args, "O!O!OOOOO!OO:setup", &PyType_Type, &cls, &PyList_Type, &modes,
                          &node_fn, &lift, &to_float, &lifted, &PyList_Type, &trace_list, &hook,
                          &number))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)cls, &NodeType)) {
        PyErr_SetString(PyExc_TypeError, "setup() needs a subclass of Node");
        return NULL;
    }
    Py_INCREF(cls);
    Py_XSETREF(value_type, (PyTypeObject *)cls);
    Py_XSETREF(special_modes, Py_NewRef(modes));
    Py_XSETREF(special_node, Py_NewRef(node_fn));
    Py_XSETREF(lift_fn, Py_NewRef(lift));
    Py_XSETREF(to_float_fn, Py_NewRef(to_float));
    Py_XSETREF(lifted_mark, Py_NewRef(lifted));
    Py_XSETREF(tracing, Py_NewRef(trace_list));
    Py_XSETREF(trace_hook, Py_NewRef(hook));
    Py_XSETREF(data_number, Py_NewRef(number));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"backward_pass", backward_pass, METH_VARARGS, backward_pass_doc},
    {"setup", setup, METH_VARARGS, setup_doc},
    {NULL}
};

static struct PyModuleDef native_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "autograd.core._native",
    .m_doc = "The native core of valuegrad's Value: storage, arithmetic and backward in C.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyObject *m, *kernels;
    int k;
    /* object.__new__(Value) must keep working (value.py and the layers above make nodes that
       way): a Node is made as any object is, then filled. */
    NodeType.tp_new = PyBaseObject_Type.tp_new;
    if (PyType_Ready(&NodeType) < 0)
        return NULL;
    empty_str = PyUnicode_InternFromString("");
    if (empty_str == NULL)
        return NULL;
    kernels = PyTuple_New(N_OPS);
    if (kernels == NULL)
        return NULL;
    for (k = 0; k < N_OPS; k++) {
        op_strings[k] = PyUnicode_InternFromString(op_names[k]);
        if (op_strings[k] == NULL)
            return NULL;
        PyTuple_SET_ITEM(kernels, k, Py_NewRef(op_strings[k]));
    }
    m = PyModule_Create(&native_module);
    if (m == NULL)
        return NULL;
#ifndef SOURCE_HASH
#define SOURCE_HASH ""  /* built by hand, not by setup.py */
#endif
    if (PyModule_AddObjectRef(m, "Node", (PyObject *)&NodeType) < 0
        || PyModule_AddObject(m, "KERNELS", kernels) < 0
        || PyModule_AddStringConstant(m, "SOURCE_HASH", SOURCE_HASH) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
