% rebase('layout')
<h1>Cancel appointment</h1>
<p>{{local(item.start)}} · {{item.vehicle}} · {{', '.join(s.name for s in item.services)}}</p>
% if not options.can_cancel and not errors:
<p class="warning" id="why-not">{{options.why_not or 'This appointment cannot be cancelled online any more.'}} To change it now, please {{!call_us()}}.</p>
<p><a href="/appointments/{{item.id}}">Back</a></p>
% else:
% include('_errors', fields=(), labels={})
<form id="cancel-form" method="post" action="/appointments/{{item.id}}/cancel" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% include('_field', name='reason', label='Reason', type='textarea', optional=True, rows=3, hint='Optional: tell the shop why.')
  <button type="submit" class="button danger">Yes, cancel it</button>
  <a class="button" href="/appointments/{{item.id}}">Keep it</a>
</form>
% end
