using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SegBridge.Host.Transports.Unix;

/// <summary>The process and user at the other end of a connected Unix domain socket (Linux SO_PEERCRED).</summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid)
{
    private const int SolSocket = 1, SoPeerCred = 17;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 8) throw new SocketException((int)SocketError.ProtocolOption);
        return new PeerCredentials(MemoryMarshal.Read<int>(ucred), MemoryMarshal.Read<uint>(ucred[4..]));
    }
}
