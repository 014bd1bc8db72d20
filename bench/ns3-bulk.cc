// ns-3 peer for cnisim's speed comparison (issue "Speed"): one TCP bulk
// transfer between two hosts over a 10 Gbit/s point-to-point link, 50 us
// one-way delay, MTU 1500, a 100-packet drop-tail queue and no queue
// discipline, CUBIC, delayed ACKs, 128 KiB application writes, 10 s.
// Prints wall time, simulated packets and goodput, one key=value per line.
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include <chrono>
#include <iostream>

using namespace ns3;

static uint64_t g_packets = 0;
static void CountTx(Ptr<const Packet>) { g_packets++; }

int main(int argc, char* argv[]) {
  double seconds = 10.0;
  uint32_t mtu = 1500;
  std::string rate = "10Gbps";
  CommandLine cmd;
  cmd.AddValue("seconds", "simulated seconds", seconds);
  cmd.AddValue("mtu", "link MTU (bytes)", mtu);
  cmd.AddValue("rate", "link rate", rate);
  cmd.Parse(argc, argv);

  // Linux-like TCP: CUBIC, MSS = MTU - 52 (IPv4 + TCP + timestamps), 1 MiB buffers (above the ~275 KB BDP plus queue; ns-3's buffers are linear lists, so much larger ones only slow it down).
  Config::SetDefault("ns3::TcpL4Protocol::SocketType", StringValue("ns3::TcpCubic"));
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(mtu - 52));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(1 << 20));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(1 << 20));
  Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
  Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));

  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue(rate));
  p2p.SetDeviceAttribute("Mtu", UintegerValue(mtu));
  p2p.SetChannelAttribute("Delay", StringValue("50us"));
  p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("100p"));
  NetDeviceContainer devs = p2p.Install(nodes);

  InternetStackHelper stack;
  stack.Install(nodes);
  // No queue discipline: packets go straight to the device's drop-tail queue.
  Ipv4AddressHelper addr;
  addr.SetBase("10.0.0.0", "255.255.255.0");
  Ipv4InterfaceContainer ifs = addr.Assign(devs);

  uint16_t port = 5001;
  BulkSendHelper src("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), port));
  src.SetAttribute("MaxBytes", UintegerValue(0));
  src.SetAttribute("SendSize", UintegerValue(128 * 1024));
  ApplicationContainer sa = src.Install(nodes.Get(0));
  sa.Start(Seconds(0.0));
  sa.Stop(Seconds(seconds));
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
  ApplicationContainer ka = sink.Install(nodes.Get(1));
  ka.Start(Seconds(0.0));
  ka.Stop(Seconds(seconds));

  devs.Get(0)->TraceConnectWithoutContext("PhyTxEnd", MakeCallback(&CountTx));
  devs.Get(1)->TraceConnectWithoutContext("PhyTxEnd", MakeCallback(&CountTx));

  Simulator::Stop(Seconds(seconds));
  auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  auto t1 = std::chrono::steady_clock::now();
  double wall = std::chrono::duration<double>(t1 - t0).count();
  uint64_t bytes = DynamicCast<PacketSink>(ka.Get(0))->GetTotalRx();
  Simulator::Destroy();

  std::cout << "ns3_wall_s=" << wall << "\n"
            << "ns3_packets=" << g_packets << "\n"
            << "ns3_packets_per_wall_s=" << g_packets / wall << "\n"
            << "ns3_goodput_mbps=" << bytes * 8.0 / seconds / 1e6 << "\n";
  return 0;
}
