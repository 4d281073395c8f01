namespace SegBridge.Models.Classical.MaxFlow;

/// <summary>
/// Boykov–Kolmogorov max-flow / min-cut (PAMI 2004), the search-tree algorithm that is fast on the
/// short-path grid graphs of image segmentation. Follows the structure of Kolmogorov's reference
/// implementation: two search trees grown from the terminals, augmentation along the path where
/// they meet, then adoption of the orphans that augmentation cut loose; trees are reused between
/// augmentations instead of rebuilt, with time stamps and distances to prefer short parent paths.
/// Arcs come in pairs (a, a ^ 1) so an arc's sister is found without storing it.
/// </summary>
public sealed class BoykovKolmogorovMaxFlow
{
    private const int None = -1, Terminal = -2, Orphan = -3;

    private readonly int _nodeCount;
    // Nodes
    private readonly int[] _firstArc, _parent, _nextActive, _timeStamp, _dist;
    private readonly bool[] _isSink;
    private readonly double[] _terminalCap; // > 0: residual from source, < 0: residual to sink
    // Arcs
    private int[] _head, _nextArc;
    private double[] _residual;
    private int _arcCount;

    private int _queueFirst = None, _queueLast = None;
    private readonly IntDeque _orphans = new();
    private int _time;
    private double _flow;
    private bool _solved;

    public BoykovKolmogorovMaxFlow(int nodeCount, int expectedEdges = 0)
    {
        if (nodeCount <= 0) throw new ArgumentOutOfRangeException(nameof(nodeCount), "a graph needs at least one node");
        _nodeCount = nodeCount;
        _firstArc = new int[nodeCount]; Array.Fill(_firstArc, None);
        _parent = new int[nodeCount]; _nextActive = new int[nodeCount];
        _timeStamp = new int[nodeCount]; _dist = new int[nodeCount];
        _isSink = new bool[nodeCount]; _terminalCap = new double[nodeCount];
        int arcs = Math.Max(16, 2 * expectedEdges);
        _head = new int[arcs]; _nextArc = new int[arcs]; _residual = new double[arcs];
    }

    public int NodeCount => _nodeCount;

    /// <summary>Adds capacities source→node and node→sink; may be called repeatedly (they accumulate).</summary>
    public void AddTerminalWeights(int node, double sourceCap, double sinkCap)
    {
        CheckNode(node); CheckCap(sourceCap); CheckCap(sinkCap); CheckNotSolved();
        // Only the difference matters for the cut; the common part is flow that is pushed at once.
        double delta = _terminalCap[node];
        if (delta > 0) sourceCap += delta; else sinkCap -= delta;
        _flow += Math.Min(sourceCap, sinkCap);
        _terminalCap[node] = sourceCap - sinkCap;
    }

    /// <summary>Adds an edge with capacity <paramref name="capacity"/> from i to j and <paramref name="reverseCapacity"/> from j to i.</summary>
    public void AddEdge(int i, int j, double capacity, double reverseCapacity)
    {
        CheckNode(i); CheckNode(j); CheckCap(capacity); CheckCap(reverseCapacity); CheckNotSolved();
        if (i == j) throw new ArgumentException($"self-loop on node {i}");
        if (_arcCount + 2 > _head.Length)
        {
            int size = _head.Length * 2;
            Array.Resize(ref _head, size); Array.Resize(ref _nextArc, size); Array.Resize(ref _residual, size);
        }
        int a = _arcCount, b = _arcCount + 1;
        _arcCount += 2;
        _head[a] = j; _residual[a] = capacity; _nextArc[a] = _firstArc[i]; _firstArc[i] = a;
        _head[b] = i; _residual[b] = reverseCapacity; _nextArc[b] = _firstArc[j]; _firstArc[j] = b;
    }

    /// <summary>Computes the maximum flow (= minimum cut capacity). Call once.</summary>
    public double ComputeMaxFlow(CancellationToken cancellationToken = default)
    {
        CheckNotSolved();
        _solved = true;
        for (int i = 0; i < _nodeCount; i++)
        {
            _nextActive[i] = None; _timeStamp[i] = 0;
            if (_terminalCap[i] != 0)
            {
                _isSink[i] = _terminalCap[i] < 0;
                _parent[i] = Terminal; _dist[i] = 1;
                SetActive(i);
            }
            else _parent[i] = None;
        }

        int current = None;
        long steps = 0;
        while (true)
        {
            if ((++steps & 0x3FF) == 0) cancellationToken.ThrowIfCancellationRequested();
            int i = current;
            if (i != None)
            {
                _nextActive[i] = None;
                if (_parent[i] == None) i = None;
            }
            if (i == None && (i = NextActive()) == None) break;

            int meeting = Grow(i);
            _time++;
            if (meeting != None)
            {
                _nextActive[i] = i; // keep i out of the queue while adopting; it is resumed next
                current = i;
                Augment(meeting);
                Adopt();
            }
            else current = None;
        }
        return _flow;
    }

    /// <summary>
    /// True when the node is on the source side of the minimum cut found: it is in the source
    /// tree. Nodes in neither tree go to the sink side, which is also a minimum cut.
    /// </summary>
    public bool IsSourceSide(int node)
    {
        CheckNode(node);
        if (!_solved) throw new InvalidOperationException("call ComputeMaxFlow first");
        return _parent[node] != None && !_isSink[node];
    }

    /// <summary>Grows i's tree by one node's neighbourhood; returns the arc (source tree → sink tree) where the trees meet, or None.</summary>
    private int Grow(int i)
    {
        if (!_isSink[i])
        {
            for (int a = _firstArc[i]; a != None; a = _nextArc[a])
            {
                if (_residual[a] <= 0) continue;
                int j = _head[a];
                if (_parent[j] == None)
                {
                    _isSink[j] = false; _parent[j] = a ^ 1;
                    _timeStamp[j] = _timeStamp[i]; _dist[j] = _dist[i] + 1;
                    SetActive(j);
                }
                else if (_isSink[j]) return a;
                else if (_timeStamp[j] <= _timeStamp[i] && _dist[j] > _dist[i])
                {
                    _parent[j] = a ^ 1; _timeStamp[j] = _timeStamp[i]; _dist[j] = _dist[i] + 1;
                }
            }
        }
        else
        {
            for (int a = _firstArc[i]; a != None; a = _nextArc[a])
            {
                if (_residual[a ^ 1] <= 0) continue;
                int j = _head[a];
                if (_parent[j] == None)
                {
                    _isSink[j] = true; _parent[j] = a ^ 1;
                    _timeStamp[j] = _timeStamp[i]; _dist[j] = _dist[i] + 1;
                    SetActive(j);
                }
                else if (!_isSink[j]) return a ^ 1;
                else if (_timeStamp[j] <= _timeStamp[i] && _dist[j] > _dist[i])
                {
                    _parent[j] = a ^ 1; _timeStamp[j] = _timeStamp[i]; _dist[j] = _dist[i] + 1;
                }
            }
        }
        return None;
    }

    /// <summary>Pushes the bottleneck along source → ... → tail(middle) → head(middle) → ... → sink.</summary>
    private void Augment(int middle)
    {
        double bottleneck = _residual[middle];
        int i;
        for (i = _head[middle ^ 1]; ; )
        {
            int a = _parent[i];
            if (a == Terminal) break;
            bottleneck = Math.Min(bottleneck, _residual[a ^ 1]);
            i = _head[a];
        }
        bottleneck = Math.Min(bottleneck, _terminalCap[i]);
        for (i = _head[middle]; ; )
        {
            int a = _parent[i];
            if (a == Terminal) break;
            bottleneck = Math.Min(bottleneck, _residual[a]);
            i = _head[a];
        }
        bottleneck = Math.Min(bottleneck, -_terminalCap[i]);

        _residual[middle ^ 1] += bottleneck;
        _residual[middle] -= bottleneck;
        for (i = _head[middle ^ 1]; ; )
        {
            int a = _parent[i];
            if (a == Terminal) break;
            _residual[a] += bottleneck;
            _residual[a ^ 1] -= bottleneck;
            if (_residual[a ^ 1] <= 0) { _residual[a ^ 1] = 0; MakeOrphanFront(i); }
            i = _head[a];
        }
        _terminalCap[i] -= bottleneck;
        if (_terminalCap[i] <= 0) { _terminalCap[i] = 0; MakeOrphanFront(i); }
        for (i = _head[middle]; ; )
        {
            int a = _parent[i];
            if (a == Terminal) break;
            _residual[a ^ 1] += bottleneck;
            _residual[a] -= bottleneck;
            if (_residual[a] <= 0) { _residual[a] = 0; MakeOrphanFront(i); }
            i = _head[a];
        }
        _terminalCap[i] += bottleneck;
        if (_terminalCap[i] >= 0) { _terminalCap[i] = 0; MakeOrphanFront(i); }
        _flow += bottleneck;
    }

    private void Adopt()
    {
        while (_orphans.TryPopFront(out int i))
            ProcessOrphan(i, _isSink[i]);
    }

    /// <summary>
    /// Finds the orphan a new parent in its own tree whose path reaches the terminal, preferring
    /// the shortest; otherwise frees it and orphans its children.
    /// </summary>
    private void ProcessOrphan(int i, bool sinkTree)
    {
        const int infinite = int.MaxValue;
        int bestArc = None, bestDist = infinite;
        for (int a0 = _firstArc[i]; a0 != None; a0 = _nextArc[a0])
        {
            // Source tree: flow must reach i from j (j→i residual); sink tree: from i to j.
            if ((sinkTree ? _residual[a0] : _residual[a0 ^ 1]) <= 0) continue;
            int j = _head[a0];
            if (_isSink[j] != sinkTree || _parent[j] == None) continue;
            int d = 0;
            int k = j;
            while (true)
            {
                if (_timeStamp[k] == _time) { d += _dist[k]; break; }
                int a = _parent[k];
                d++;
                if (a == Terminal) { _timeStamp[k] = _time; _dist[k] = 1; break; }
                if (a == Orphan) { d = infinite; break; }
                k = _head[a];
            }
            if (d == infinite) continue;
            if (d < bestDist) { bestArc = a0; bestDist = d; }
            // Stamp the path so later searches stop early.
            for (k = j; _timeStamp[k] != _time; k = _head[_parent[k]])
            {
                _timeStamp[k] = _time; _dist[k] = d--;
            }
        }

        _parent[i] = bestArc;
        if (bestArc != None) { _timeStamp[i] = _time; _dist[i] = bestDist + 1; return; }

        for (int a0 = _firstArc[i]; a0 != None; a0 = _nextArc[a0])
        {
            int j = _head[a0];
            int a = _parent[j];
            if (_isSink[j] != sinkTree || a == None) continue;
            if ((sinkTree ? _residual[a0] : _residual[a0 ^ 1]) > 0) SetActive(j);
            if (a != Terminal && a != Orphan && _head[a] == i) MakeOrphanRear(j);
        }
    }

    private void SetActive(int i)
    {
        if (_nextActive[i] != None) return;
        if (_queueLast != None) _nextActive[_queueLast] = i; else _queueFirst = i;
        _queueLast = i;
        _nextActive[i] = i; // self-link marks the queue's end and "already queued"
    }

    private int NextActive()
    {
        while (true)
        {
            int i = _queueFirst;
            if (i == None) return None;
            if (_nextActive[i] == i) _queueFirst = _queueLast = None;
            else _queueFirst = _nextActive[i];
            _nextActive[i] = None;
            if (_parent[i] != None) return i; // freed nodes stay queued but are skipped
        }
    }

    private void MakeOrphanFront(int i) { _parent[i] = Orphan; _orphans.PushFront(i); }
    private void MakeOrphanRear(int i) { _parent[i] = Orphan; _orphans.PushBack(i); }

    private void CheckNode(int node)
    {
        if ((uint)node >= (uint)_nodeCount) throw new ArgumentOutOfRangeException(nameof(node), $"node {node} is not in [0, {_nodeCount})");
    }

    private static void CheckCap(double cap)
    {
        if (!(cap >= 0) || double.IsPositiveInfinity(cap)) throw new ArgumentOutOfRangeException(nameof(cap), $"capacity {cap} must be finite and >= 0");
    }

    private void CheckNotSolved()
    {
        if (_solved) throw new InvalidOperationException("the flow has been computed; build a new graph to change it");
    }
}
