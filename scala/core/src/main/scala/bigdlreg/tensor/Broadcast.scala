package bigdlreg.tensor

/** How a noise tensor is broadcast over an input (row-major, contiguous).
  *
  * The input's dimensions are collapsed into groups: dimensions of size 1 are
  * dropped and neighbours that are either both "noise" dimensions (the noise
  * tensor has the input's size there) or both "broadcast" dimensions (the noise
  * tensor has size 1 there) are merged. `sizes(g)` is the number of elements
  * along group `g`, `cellStrides(g)` the step of the noise cell index along it
  * (0 for a broadcast group). The noise cell of flat element `e` is
  * `sum_g coord_g(e) * cellStrides(g)`: the row-major flat index of the cell in
  * the noise tensor, i.e. the `i` of the RNG contract.
  *
  * @param sizes       group sizes, outermost first (at least one group)
  * @param cellStrides noise-cell stride per group (0 = broadcast)
  * @param nElements   number of input elements
  * @param nCells      number of noise cells
  * @param cellBase    added to every cell index: the input is a slice of a
  *                    larger noise tensor whose cells before `cellBase` belong
  *                    to other slices (a forward at a batch offset)
  */
final class Broadcast private (
    val sizes: Array[Int],
    val cellStrides: Array[Int],
    val nElements: Int,
    val nCells: Int,
    val cellBase: Long = 0L) {

  /** One cell per element, cell index = element index: the fast paths apply. */
  def elementwise: Boolean = nCells == nElements && cellBase == 0L

  /** The same plan with every cell index shifted by `base` (>= 0). */
  def shifted(base: Long): Broadcast = {
    require(base >= 0L, s"negative cell base $base")
    if (base == cellBase) this else new Broadcast(sizes, cellStrides, nElements, nCells, base)
  }

  /** A cursor over the runs of `[from, until)`: maximal stretches of elements
    * along the innermost group (each either one shared cell or consecutive
    * cells).
    */
  def runs(from: Int, until: Int): Broadcast.RunCursor = new Broadcast.RunCursor(this, from, until)

  override def toString: String =
    sizes.indices.map(g => s"${sizes(g)}:${cellStrides(g)}")
      .mkString("Broadcast(", ", ", if (cellBase == 0L) ")" else s"; cells from $cellBase)")
}

object Broadcast {

  /** The plan for a noise tensor of shape `noise` broadcast over `shape`:
    * `noise` must have the same rank and, on each axis, either the input's size
    * or 1.
    */
  def apply(shape: Array[Int], noise: Array[Int]): Broadcast = {
    require(shape.length == noise.length,
      s"noise shape ${noise.mkString("(", ", ", ")")} has not the rank of the input shape ${shape.mkString("(", ", ", ")")}")
    var nElements = 1L
    var nCells = 1L
    var d = 0
    while (d < shape.length) {
      require(shape(d) >= 0, s"negative dimension in ${shape.mkString("(", ", ", ")")}")
      require(noise(d) == shape(d) || noise(d) == 1,
        s"noise shape ${noise.mkString("(", ", ", ")")} does not broadcast over ${shape.mkString("(", ", ", ")")}")
      nElements *= shape(d)
      nCells *= noise(d)
      d += 1
    }
    require(nElements <= Int.MaxValue, s"too many elements: $nElements")
    if (nElements == 0L) return new Broadcast(Array(0), Array(1), 0, 0)
    // collapse: drop size-1 axes, merge neighbours of the same kind
    val sizes = scala.collection.mutable.ArrayBuffer.empty[Long]
    val isNoise = scala.collection.mutable.ArrayBuffer.empty[Boolean]
    d = 0
    while (d < shape.length) {
      if (shape(d) != 1) {
        val n = noise(d) != 1
        if (isNoise.nonEmpty && isNoise.last == n) sizes(sizes.length - 1) = sizes.last * shape(d)
        else { sizes += shape(d).toLong; isNoise += n }
      }
      d += 1
    }
    if (sizes.isEmpty) { sizes += 1L; isNoise += true }
    val m = sizes.length
    val strides = new Array[Int](m)
    var s = 1L
    var g = m - 1
    while (g >= 0) {
      if (isNoise(g)) { strides(g) = s.toInt; s *= sizes(g) } else strides(g) = 0
      g -= 1
    }
    new Broadcast(sizes.map(_.toInt).toArray, strides, nElements.toInt, nCells.toInt)
  }

  /** Elementwise plan (noise shape = input shape) for `n` elements. */
  def elementwise(n: Int): Broadcast =
    if (n == 0) new Broadcast(Array(0), Array(1), 0, 0) else new Broadcast(Array(n), Array(1), n, n)

  /** Iterates the runs of an element range. After each successful `next()`:
    * elements `start until end` are rows of `rowLength` elements, each row
    * using cells `cell, cell + cellStep, ...` (`cellStep` is 0: one shared
    * cell, or 1: consecutive cells). A run of consecutive cells is one row,
    * or, when the group outside the innermost is broadcast (channels last),
    * every whole row up to that group's end: the same short row repeated,
    * handed over at once so that a kernel pays the cursor once per stretch
    * rather than once per row.
    */
  final class RunCursor private[Broadcast] (plan: Broadcast, from: Int, until: Int) {
    private[this] val m = plan.sizes.length
    private[this] val inner = plan.sizes(m - 1)
    val cellStep: Int = plan.cellStrides(m - 1)
    var start: Int = from
    var end: Int = from
    var cell: Long = 0L
    var rowLength: Int = 0
    // the rows of a consecutive-cells run repeat along the next group out when it is broadcast
    private[this] val rowsRepeat = cellStep != 0 && m >= 2 && plan.cellStrides(m - 2) == 0
    private[this] val coords = new Array[Int](math.max(m - 1, 0))
    private[this] var outerCell: Long = 0L
    private[this] var offset: Int = 0
    private[this] var first = true

    // position the odometer on `from`
    if (from < until) {
      var rest = from / inner
      offset = from - (from / inner) * inner
      var g = m - 2
      while (g >= 0) {
        val sz = plan.sizes(g)
        val c = rest % sz
        coords(g) = c
        outerCell += c.toLong * plan.cellStrides(g)
        rest /= sz
        g -= 1
      }
    }

    def next(): Boolean = {
      if (!first) {
        // advance the outer odometer by one run
        var g = m - 2
        var carry = true
        while (carry && g >= 0) {
          coords(g) += 1
          outerCell += plan.cellStrides(g)
          if (coords(g) < plan.sizes(g)) carry = false
          else {
            outerCell -= plan.sizes(g).toLong * plan.cellStrides(g)
            coords(g) = 0
            g -= 1
          }
        }
        offset = 0
      }
      first = false
      start = end
      if (start >= until) false
      else {
        end = math.min(until.toLong, start.toLong + (inner - offset)).toInt
        cell = plan.cellBase + outerCell + offset.toLong * cellStep
        rowLength = end - start
        if (rowsRepeat && rowLength == inner) {
          // whole rows further along the broadcast group m - 2 (its cell stride is 0: same cells)
          val g = m - 2
          val more = math.min(plan.sizes(g) - 1 - coords(g), (until - end) / inner)
          if (more > 0) {
            coords(g) += more
            end += more * inner
          }
        }
        true
      }
    }
  }
}
