// ns-3's fq_codel (FqCoDelQueueDisc, a port of Linux's sch_fq_codel) under
// an unresponsive UDP flow 20% above its link: two nodes on a 100 Mbit/s
// point-to-point link (PPP framing, 50 us), the sender's qdisc fq_codel
// with its defaults, its device queue one packet (so that the qdisc, not
// the device, holds the backlog), one UDP flow of 1,472-byte datagrams at
// 120 Mbit/s for SECONDS. It prints the time of every drop (ms) and the
// totals, for calibration/fqcodel/compare.sh to set beside cnisim's
// cluster.qdisc = "fq_codel" on the same line. Built by that script
// against Debian's libns3-dev (ns-3 3.37).
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <iostream>

using namespace ns3;

static uint64_t drops;
static std::vector<double> dropMs;

static void
OnDrop(Ptr<const QueueDiscItem>)
{
    drops++;
    dropMs.push_back(Simulator::Now().GetSeconds() * 1000);
}

int
main(int argc, char* argv[])
{
    double seconds = 3;
    double rateMbps = 120;
    CommandLine cmd;
    cmd.AddValue("seconds", "simulated seconds", seconds);
    cmd.AddValue("rate", "the UDP flow's rate, Mbit/s of payload", rateMbps);
    cmd.Parse(argc, argv);

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("50us"));
    p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
    NetDeviceContainer devs = p2p.Install(nodes);
    InternetStackHelper stack;
    stack.Install(nodes);
    TrafficControlHelper tch;
    tch.SetRootQueueDisc("ns3::FqCoDelQueueDisc");
    QueueDiscContainer qds = tch.Install(devs);
    qds.Get(0)->TraceConnectWithoutContext("Drop", MakeCallback(&OnDrop));
    Ipv4AddressHelper addr;
    addr.SetBase("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);

    OnOffHelper onoff("ns3::UdpSocketFactory", InetSocketAddress(ifs.GetAddress(1), 9));
    onoff.SetConstantRate(DataRate(uint64_t(rateMbps * 1e6)), 1472);
    ApplicationContainer src = onoff.Install(nodes.Get(0));
    src.Start(Seconds(0));
    src.Stop(Seconds(seconds));
    PacketSinkHelper sinkHelper("ns3::UdpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
    ApplicationContainer sinkApp = sinkHelper.Install(nodes.Get(1));
    sinkApp.Start(Seconds(0));

    Simulator::Stop(Seconds(seconds));
    Simulator::Run();
    Ptr<PacketSink> sink = DynamicCast<PacketSink>(sinkApp.Get(0));
    std::cout << "ns3_drops " << drops << "\n";
    std::cout << "ns3_received_bytes " << sink->GetTotalRx() << "\n";
    for (size_t i = 0; i < dropMs.size() && i < 20; i++)
    {
        std::cout << "ns3_drop_ms " << dropMs[i] << "\n";
    }
    Simulator::Destroy();
    return 0;
}
