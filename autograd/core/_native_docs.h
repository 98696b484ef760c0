/* The docstrings of the native core's methods (_native.c), written from the op table
   by `python -m autograd.core.generate`: do not edit. */

#define DOC_exp \
    "exp($self, /)\n" \
    "--\n" \
    "\n" \
    "e to the power of x.\n" \
    "\n" \
    "Records a node of op \"exp\", x being this Value:\n" \
    "    ∂(exp(x))/∂x = exp(x)"

#define DOC_expm1 \
    "expm1($self, /)\n" \
    "--\n" \
    "\n" \
    "exp(x) - 1, exact for small x.\n" \
    "\n" \
    "Records a node of op \"expm1\", x being this Value:\n" \
    "    ∂(expm1(x))/∂x = exp(x)"

#define DOC_log \
    "log($self, /)\n" \
    "--\n" \
    "\n" \
    "Natural logarithm (-inf at 0, nan below).\n" \
    "\n" \
    "Records a node of op \"log\", x being this Value:\n" \
    "    ∂(log(x))/∂x = 1/x"

#define DOC_log1p \
    "log1p($self, /)\n" \
    "--\n" \
    "\n" \
    "log(1 + x), exact for small x (-inf at -1, nan below).\n" \
    "\n" \
    "Records a node of op \"log1p\", x being this Value:\n" \
    "    ∂(log1p(x))/∂x = 1/(1 + x)"

#define DOC_sin \
    "sin($self, /)\n" \
    "--\n" \
    "\n" \
    "Sine (x in radians).\n" \
    "\n" \
    "Records a node of op \"sin\", x being this Value:\n" \
    "    ∂(sin(x))/∂x = cos(x)"

#define DOC_cos \
    "cos($self, /)\n" \
    "--\n" \
    "\n" \
    "Cosine (x in radians).\n" \
    "\n" \
    "Records a node of op \"cos\", x being this Value:\n" \
    "    ∂(cos(x))/∂x = -sin(x)"

#define DOC_tanh \
    "tanh($self, /)\n" \
    "--\n" \
    "\n" \
    "Hyperbolic tangent.\n" \
    "\n" \
    "Records a node of op \"tanh\", x being this Value:\n" \
    "    ∂(tanh(x))/∂x = 1 - tanh²(x)"

#define DOC_sigmoid \
    "sigmoid($self, /)\n" \
    "--\n" \
    "\n" \
    "Logistic function 1 / (1 + e^-x).\n" \
    "\n" \
    "Records a node of op \"sigmoid\", x being this Value:\n" \
    "    ∂(sigmoid(x))/∂x = σ(x)(1 - σ(x))"

#define DOC_relu \
    "relu($self, /)\n" \
    "--\n" \
    "\n" \
    "max(x, 0), with slope 0 at 0.\n" \
    "\n" \
    "Records a node of op \"relu\", x being this Value:\n" \
    "    ∂(relu(x))/∂x = 1 if x > 0 else 0"

#define DOC_softplus \
    "softplus($self, /)\n" \
    "--\n" \
    "\n" \
    "log(1 + e^x), a smooth relu.\n" \
    "\n" \
    "Records a node of op \"softplus\", x being this Value:\n" \
    "    ∂(softplus(x))/∂x = σ(x)"

#define DOC_sqrt \
    "sqrt($self, /)\n" \
    "--\n" \
    "\n" \
    "Square root (nan below 0).\n" \
    "\n" \
    "Records a node of op \"sqrt\", x being this Value:\n" \
    "    ∂(sqrt(x))/∂x = 1/(2√x)"

#define DOC_maximum \
    "maximum($self, other, /)\n" \
    "--\n" \
    "\n" \
    "The larger of x and y; at a tie each gets half the gradient, as in PyTorch.\n" \
    "\n" \
    "Records a node of op \"maximum\", x being this Value and y the other operand:\n" \
    "    ∂(max(x, y))/∂x = 1 if x > y, ½ if x = y, else 0\n" \
    "    ∂(max(x, y))/∂y = 1 if y > x, ½ if x = y, else 0"

#define DOC_minimum \
    "minimum($self, other, /)\n" \
    "--\n" \
    "\n" \
    "The smaller of x and y; at a tie each gets half the gradient, as in PyTorch.\n" \
    "\n" \
    "Records a node of op \"minimum\", x being this Value and y the other operand:\n" \
    "    ∂(min(x, y))/∂x = 1 if x < y, ½ if x = y, else 0\n" \
    "    ∂(min(x, y))/∂y = 1 if y < x, ½ if x = y, else 0"
